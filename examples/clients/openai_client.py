#!/usr/bin/env python3
"""A minimal client of the Anunix inference appliance's OpenAI-compatible API
(docs/openai-api.md), with the standard library only (urllib, json).

  gen/anx run manifests/inference.yaml          # in another terminal
  python3 examples/clients/openai_client.py "Once upon a time"
  python3 examples/clients/openai_client.py --chat "Tell me a story."
  python3 examples/clients/openai_client.py --stream --max-tokens 60 "The dog"

Options: --url (default http://127.0.0.1:8080), --model (default: the first
of /v1/models), --temperature, --max-tokens, --seed, --stop, --chat, --stream.
"""
import argparse
import json
import sys
import urllib.error
import urllib.request


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    return urllib.request.urlopen(req, timeout=300)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("prompt", nargs="?", default="")
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--model")
    ap.add_argument("--temperature", type=float, default=0.0)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--stop", action="append")
    ap.add_argument("--chat", action="store_true")
    ap.add_argument("--stream", action="store_true")
    a = ap.parse_args()

    model = a.model
    if not model:
        with urllib.request.urlopen(a.url + "/v1/models", timeout=30) as r:
            model = json.load(r)["data"][0]["id"]
    body = {"model": model, "temperature": a.temperature, "max_tokens": a.max_tokens,
            "stream": a.stream}
    if a.seed is not None:
        body["seed"] = a.seed
    if a.stop:
        body["stop"] = a.stop
    if a.chat:
        path = "/v1/chat/completions"
        body["messages"] = [{"role": "user", "content": a.prompt}]
    else:
        path = "/v1/completions"
        body["prompt"] = a.prompt
    try:
        r = post(a.url + path, body)
    except urllib.error.HTTPError as e:
        err = json.load(e)["error"]
        sys.exit(f"error {e.code}: {err['message']} (param {err['param']}, code {err['code']})")
    with r:
        if not a.stream:
            ans = json.load(r)
            c = ans["choices"][0]
            print(a.prompt if not a.chat else "", end="")
            print(c["message"]["content"] if a.chat else c["text"])
            u = ans["usage"]
            print(f"[{c['finish_reason']}: {u['prompt_tokens']} prompt + "
                  f"{u['completion_tokens']} completion tokens]", file=sys.stderr)
            return
        if not a.chat:
            print(a.prompt, end="", flush=True)
        for line in r:                      # server-sent events, one "data:" line each
            line = line.decode().strip()
            if not line.startswith("data: "):
                continue
            data = line[6:]
            if data == "[DONE]":
                break
            c = json.loads(data)["choices"]
            if not c:
                continue
            text = c[0].get("delta", {}).get("content") if a.chat else c[0]["text"]
            print(text or "", end="", flush=True)
            if c[0]["finish_reason"]:
                print(f"\n[{c[0]['finish_reason']}]", file=sys.stderr)
        print()


if __name__ == "__main__":
    main()
