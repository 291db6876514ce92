#!/usr/bin/env python3
"""A stand-in for the two Docker Hub endpoints `bakery ci readme` uses, for CIReadmeCommandTests.

Usage: fake_docker_hub.py STATE.json LOG.jsonl PORT_FILE

STATE.json: {"username": "...", "password": "...", "fail": {"<ns>/<repo>": status}}
Serves on 127.0.0.1 (a free port, written to PORT_FILE once listening):
  POST  /v2/auth/token {"identifier", "secret"}          -> {"access_token": "hub-token-<n>"}, 401 when they differ
  PATCH /v2/namespaces/<ns>/repositories/<repo> {"full_description"} with the bearer token -> 200, or the status
        configured in "fail" for that repository; 401 with a missing or unknown token.
Every request is appended to LOG.jsonl: method, path, Authorization header and the JSON body. Stopped by SIGTERM.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

STATE_FILE, LOG_FILE, PORT_FILE = sys.argv[1:4]
with open(STATE_FILE) as f:
    STATE = json.load(f)
TOKENS = set()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            return {"<unparsable>": raw.decode("utf-8", "replace")}

    def handle_any(self):
        body = self.body()
        with open(LOG_FILE, "a") as log:
            log.write(json.dumps({"method": self.command, "path": self.path,
                                  "authorization": self.headers.get("Authorization"), "body": body}) + "\n")
        if self.command == "POST" and self.path == "/v2/auth/token":
            if isinstance(body, dict) and body.get("identifier") == STATE["username"] and body.get("secret") == STATE["password"]:
                token = f"hub-token-{len(TOKENS) + 1}"
                TOKENS.add(token)
                return self.reply(200, {"token": token, "access_token": token})
            return self.reply(401, {"detail": "Incorrect authentication credentials"})
        parts = self.path.split("/")
        if self.command == "PATCH" and len(parts) == 6 and parts[1:3] == ["v2", "namespaces"] and parts[4] == "repositories":
            auth = self.headers.get("Authorization") or ""
            if not auth.startswith("Bearer ") or auth[len("Bearer "):] not in TOKENS:
                return self.reply(401, {"detail": "authentication required"})
            status = STATE.get("fail", {}).get(f"{parts[3]}/{parts[5]}")
            if status:
                return self.reply(status, {"message": "internal error"})
            return self.reply(200, {"namespace": parts[3], "name": parts[5]})
        return self.reply(404, {"message": "not found"})

    do_POST = handle_any
    do_PATCH = handle_any


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".part", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".part", PORT_FILE)
server.serve_forever()
