#!/usr/bin/env python3
"""A minimal client of the Anunix inference appliance's OpenAI-compatible API
(docs/openai-api.md), with the standard library only (urllib, json).

  gen/anx run manifests/inference.yaml          # in another terminal
  python3 examples/clients/openai_client.py "Once upon a time"
  python3 examples/clients/openai_client.py --chat "Tell me a story."
  python3 examples/clients/openai_client.py --stream --max-tokens 60 "The dog"

Options: --host (default 127.0.0.1) and --port (default 8080), or --url
(http://HOST:PORT); --model (default: the first of /v1/models),
--temperature, --max-tokens, --seed, --stop, --chat, --stream.
Errors are one line on stderr and exit status 1 (2 for usage).
"""
import argparse
import json
import socket
import sys
import urllib.error
import urllib.request


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    return urllib.request.urlopen(req, timeout=300)


def http_error(e):
    """One line for an HTTP error: the API's message when the body is
    OpenAI's error shape, else the status and the start of the body."""
    raw = e.read().decode(errors="replace")
    try:
        err = json.loads(raw)["error"]
        return f"error {e.code}: {err['message']} (param {err['param']}, code {err['code']})"
    except (ValueError, KeyError, TypeError):
        return f"error {e.code} {e.reason}: {raw.strip()[:200]}"


def unreachable(base, e):
    """One line for a server that is not there (refused, unknown host,
    timeout), with what to check."""
    why = e.reason if isinstance(e, urllib.error.URLError) else e
    return (f"cannot reach {base}: {why}; is the appliance running "
            f"(gen/anx run manifests/inference.yaml) and forwarding that port? "
            f"(--host/--port/--url choose another)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("prompt", nargs="?", default="")
    ap.add_argument("--host", default="127.0.0.1", help="the appliance's address (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=8080, help="its HTTP port (default 8080)")
    ap.add_argument("--url", help="http://HOST:PORT, instead of --host and --port")
    ap.add_argument("--model")
    ap.add_argument("--temperature", type=float, default=0.0)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--stop", action="append")
    ap.add_argument("--chat", action="store_true")
    ap.add_argument("--stream", action="store_true")
    a = ap.parse_args()
    if not 0 < a.port < 65536:
        ap.error(f"--port {a.port}: expected 1..65535")
    base = (a.url or f"http://{a.host}:{a.port}").rstrip("/")
    try:
        run(a, base)
    except urllib.error.HTTPError as e:
        sys.exit(http_error(e))
    except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError) as e:
        sys.exit(unreachable(base, e))
    except KeyboardInterrupt:
        sys.exit(130)


def run(a, base):
    model = a.model
    if not model:
        with urllib.request.urlopen(base + "/v1/models", timeout=30) as r:
            models = json.load(r)["data"]
        if not models:
            sys.exit(f"{base} serves no model (GET /v1/models is empty): set infer.model in the manifest")
        model = models[0]["id"]
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
    r = post(base + path, body)
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
