#!/usr/bin/env python3
"""The soak's inference load (tests/soak/run.sh): for SECONDS, one client at a time (the
image generates one answer at a time anyway) asks the OpenAI API for completions and chat
completions, streamed and not, greedy and sampled, and checks every answer's shape:
status 200, the object type, a text, a finish reason, usage that adds up and stays within
max_tokens; a stream is server-sent events of well-formed chunks ending in data: [DONE].
Greedy answers must not drift: the same prompt and max_tokens give the same text every
time, streamed or not (the first answer is the reference for the rest).

    completions.py PORT SECONDS OUT.json [--seed S] [--gate DIR]"""
import argparse
import json
import random
import time

from soaklib import drive, Gate, Tally, request

PROMPTS = ["Once upon a time", "The little dog", "She found a", "One day, a boy named Tim",
           "The sun was", ""]
MESSAGES = ["Tell me a story.", "Hi", "What did the cat do?"]


def parse_stream(body):
    """The JSON chunks of an event stream; raises ValueError when it is not one that ends
    with [DONE]."""
    events = [e for e in body.decode("utf-8").split("\n\n") if e.strip()]
    if not events or events[-1].strip() != "data: [DONE]":
        raise ValueError(f"no data: [DONE] at the end: {body[-120:]!r}")
    chunks = []
    for e in events[:-1]:
        if not e.startswith("data: "):
            raise ValueError(f"an event that is not data: {e[:120]!r}")
        chunks.append(json.loads(e[6:]))
    return chunks


class Client:
    def __init__(self, port, tally, seed):
        self.port, self.tally = port, tally
        self.rng = random.Random(seed)
        self.greedy = {}   # (kind, prompt, max_tokens) -> the first greedy text

    def fail(self, what):
        self.tally.error(what, counted=False)

    def same_as_before(self, key, text):
        first = self.greedy.setdefault(key, text)
        if first != text:
            self.fail(f"greedy {key}: {text!r}, earlier {first!r}")
            return False
        return True

    def one(self):
        chat = self.rng.random() < 0.4
        stream = self.rng.random() < 0.5
        greedy = self.rng.random() < 0.5
        mt = self.rng.choice([4, 8, 16, 24])
        req = {"max_tokens": mt, "stream": stream}
        if greedy:
            req["temperature"] = 0
        else:
            req["temperature"], req["seed"] = 0.8, self.rng.randrange(1 << 30)
        if chat:
            prompt = self.rng.choice(MESSAGES)
            req["messages"] = [{"role": "user", "content": prompt}]
            path = "/v1/chat/completions"
        else:
            prompt = self.rng.choice(PROMPTS)
            req["prompt"] = prompt
            path = "/v1/completions"
        what = f"{path} stream={stream} temperature={req['temperature']} max_tokens={mt}"
        st, h, body, secs = request(self.port, "POST", path, json.dumps(req),
                                    {"Content-Type": "application/json"})
        self.tally.ok(secs)
        if st != 200:
            self.fail(f"{what}: status {st}: {body[:200]!r}")
            return
        try:
            if stream:
                text, finish = self.check_stream(chat, h, body, mt)
            else:
                text, finish = self.check_answer(chat, h, body, mt)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, AssertionError) as e:
            self.fail(f"{what}: {type(e).__name__}: {e}")
            return
        self.tally.add("streamed" if stream else "whole")
        self.tally.add("tokens_asked", mt)
        if greedy:
            self.same_as_before(("chat" if chat else "text", prompt, mt), text)

    def check_answer(self, chat, h, body, mt):
        assert h.get("content-type", "").startswith("application/json"), h.get("content-type")
        a = json.loads(body)
        assert a["object"] == ("chat.completion" if chat else "text_completion"), a["object"]
        c = a["choices"][0]
        text = c["message"]["content"] if chat else c["text"]
        assert isinstance(text, str)
        assert c["finish_reason"] in ("stop", "length"), c["finish_reason"]
        u = a["usage"]
        assert 0 <= u["completion_tokens"] <= mt, u
        assert u["prompt_tokens"] >= 1, u
        assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"], u
        return text, c["finish_reason"]

    def check_stream(self, chat, h, body, mt):
        assert h.get("content-type", "").startswith("text/event-stream"), h.get("content-type")
        chunks = parse_stream(body)
        assert chunks, "no chunks"
        kind = "chat.completion.chunk" if chat else "text_completion"
        ids = {c["id"] for c in chunks}
        assert len(ids) == 1, f"ids {ids}"
        text, finish, tokens = "", None, 0
        for k in chunks:
            assert "error" not in k, k
            assert k["object"] == kind, k["object"]
            assert finish is None, "a chunk after the finish reason"
            c = k["choices"][0]
            piece = c["delta"].get("content", "") if chat else c["text"]
            text += piece
            tokens += 1
            finish = c["finish_reason"]
        assert finish in ("stop", "length"), f"last finish_reason {finish}"
        # one chunk a token, plus chat's role chunk and the final one with the reason
        assert tokens <= mt + 2, f"{tokens} chunks for max_tokens {mt}"
        return text, finish

    def run(self, until, gate):
        drive(self.one, self.tally, until, gate)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("seconds", type=float)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--gate", default=".", help="the folder of sample.py's gate files")
    a = ap.parse_args()
    tally = Tally("completions", "inference")
    tally.add("seed", a.seed)
    Client(a.port, tally, a.seed).run(time.monotonic() + a.seconds, Gate(a.gate, "completions"))
    tally.extra.setdefault("streamed", 0)
    tally.extra.setdefault("whole", 0)
    tally.write(a.out)


if __name__ == "__main__":
    main()
