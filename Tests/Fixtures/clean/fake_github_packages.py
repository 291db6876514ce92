#!/usr/bin/env python3
"""A stand-in for GitHub's packages API (container packages), for CleanCommandTests.

Usage: fake_github_packages.py STATE.json LOG.jsonl PORT_FILE

STATE.json: {"token": "...", "packages": {"<org>/<package>": {"versions": [<version objects as GitHub lists them>],
             "fail_delete": {"<id>": [status, "message"]}}}}
Serves on 127.0.0.1 (a free port, written to PORT_FILE once listening):
  GET    /orgs/<org>/packages/container/<package, / as %2F>            -> {"name", "version_count"}
  GET    /orgs/<org>/packages/container/<package>/versions?per_page=&page=&state=   -> that page of versions
  DELETE /orgs/<org>/packages/container/<package>/versions/<id>        -> 204, or the configured failure
Every request is appended to LOG.jsonl: method, raw path, query, Authorization header. A wrong or missing bearer
token gets 401. Stopped by SIGTERM.
"""
import json
import os
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

STATE_FILE, LOG_FILE, PORT_FILE = sys.argv[1:4]
with open(STATE_FILE) as f:
    STATE = json.load(f)
PREFIX = "/orgs/"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self):
        raw_path, _, query = self.path.partition("?")
        entry = {"method": self.command, "path": raw_path, "query": query,
                 "authorization": self.headers.get("Authorization"), "accept": self.headers.get("Accept")}
        with open(LOG_FILE, "a") as log:
            log.write(json.dumps(entry) + "\n")
        return raw_path, urllib.parse.parse_qs(query)

    def resolve(self, raw_path):
        """(package key, rest of the path) for /orgs/<org>/packages/container/<package>[/versions[/<id>]]."""
        if not raw_path.startswith(PREFIX):
            return None, None
        parts = raw_path[len(PREFIX):].split("/")
        if len(parts) < 4 or parts[1:3] != ["packages", "container"]:
            return None, None
        org, package = parts[0], urllib.parse.unquote(parts[3])
        return f"{org}/{package}", parts[4:]

    def handle_any(self):
        raw_path, query = self.record()
        if self.headers.get("Authorization") != f"Bearer {STATE['token']}":
            return self.reply(401, {"message": "Bad credentials"})
        key, rest = self.resolve(raw_path)
        package = STATE["packages"].get(key) if key else None
        if package is None:
            return self.reply(404, {"message": "Package not found."})
        versions = package["versions"]
        if self.command == "GET" and rest == []:
            return self.reply(200, {"name": key.split("/", 1)[1], "version_count": len(versions)})
        if self.command == "GET" and rest == ["versions"]:
            per_page = int(query.get("per_page", ["30"])[0])
            page = int(query.get("page", ["1"])[0])
            return self.reply(200, versions[(page - 1) * per_page:page * per_page])
        if self.command == "DELETE" and len(rest) == 2 and rest[0] == "versions":
            failure = package.get("fail_delete", {}).get(rest[1])
            if failure:
                return self.reply(failure[0], {"message": failure[1]})
            if not any(str(v["id"]) == rest[1] for v in versions):
                return self.reply(404, {"message": "Package version not found."})
            package["versions"] = [v for v in versions if str(v["id"]) != rest[1]]
            return self.reply(204)
        return self.reply(404, {"message": "Not Found"})

    do_GET = handle_any
    do_DELETE = handle_any


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".part", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".part", PORT_FILE)
server.serve_forever()
