#!/usr/bin/env python3
"""A stand-in for the servers version documents come from, laid out as a bakery sources mirror.

Usage: document-server.py STATE.json LOG.jsonl PORT_FILE

Serves GET and HEAD on 127.0.0.1 (a free port, written to PORT_FILE once listening). A request for /HOST/PATH is
answered from STATE's "root" folder (the file root/HOST/PATH), with an ETag (a hash of the body) and a
Last-Modified (the file's modification time), unless STATE overrides it. STATE is read again on every request, so
a test changes the server's behaviour by rewriting it (atomically). Keys, all optional except "root":

  "root":       the folder of documents
  "documents":  {"/path": {"body": "text", "etag": "\"v2\"" or null, "lastModified": "HTTP date" or null}}
                documents served from STATE instead of files; null leaves that validator out
  "failures":   {"/path": {"times": N, "status": 503}}  the first N requests to the path get that status
  "sizes":      {"/path": BYTES}  a body of that many bytes ("x"), sent in 1 MiB pieces
  "delays":     {"/path": SECONDS}  wait before answering

Conditional GETs get 304 when If-None-Match names the current ETag, or (with no If-None-Match) when the document
was not modified after If-Modified-Since. Every request is appended to LOG as one JSON line: method, path, the
conditional headers, the User-Agent and the status answered. Stop it by its PID (SIGTERM).
"""
import email.utils
import hashlib
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE, LOG, PORT_FILE = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()
counts = {}


def load_state():
    with open(STATE, encoding="utf-8") as f:
        return json.load(f)


def record(entry):
    with lock:
        with open(LOG, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")


def http_date(seconds):
    return email.utils.formatdate(seconds, usegmt=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.answer(send_body=True)

    def do_HEAD(self):
        self.answer(send_body=False)

    def answer(self, send_body):
        path = self.path.split("?", 1)[0]
        with lock:
            counts[path] = counts.get(path, 0) + 1
            number = counts[path]
        entry = {
            "method": self.command,
            "path": path,
            "number": number,
            "ifNoneMatch": self.headers.get("If-None-Match"),
            "ifModifiedSince": self.headers.get("If-Modified-Since"),
            "userAgent": self.headers.get("User-Agent"),
        }
        state = load_state()
        delay = state.get("delays", {}).get(path)
        if delay:
            time.sleep(delay)
        failure = state.get("failures", {}).get(path)
        if failure and number <= failure.get("times", 0):
            entry["status"] = failure.get("status", 503)
            record(entry)
            self.send_plain(entry["status"], b"failing on purpose\n", send_body)
            return
        size = state.get("sizes", {}).get(path)
        if size is not None:
            entry["status"] = 200
            record(entry)
            self.send_large(size, send_body)
            return
        document = self.find(state, path)
        if document is None:
            entry["status"] = 404
            record(entry)
            self.send_plain(404, b"not found\n", send_body)
            return
        body, etag, modified = document
        status = 304 if self.not_modified(etag, modified) else 200
        entry["status"] = status
        record(entry)
        self.send_response(status)
        if etag is not None:
            self.send_header("ETag", etag)
        if modified is not None:
            self.send_header("Last-Modified", modified)
        if status == 304:
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def find(self, state, path):
        """(body, etag, last-modified) of the document at path, or None."""
        override = state.get("documents", {}).get(path)
        if override is not None:
            body = override["body"].encode("utf-8")
            etag = override.get("etag", '"%s"' % hashlib.sha256(body).hexdigest()[:16])
            modified = override.get("lastModified", http_date(time.time()))
            return body, etag, modified
        root = os.path.realpath(state["root"])
        file = os.path.realpath(os.path.join(root, urllib.parse.unquote(path).lstrip("/")))
        if not file.startswith(root + os.sep) or not os.path.isfile(file):
            return None
        with open(file, "rb") as f:
            body = f.read()
        return body, '"%s"' % hashlib.sha256(body).hexdigest()[:16], http_date(int(os.path.getmtime(file)))

    def not_modified(self, etag, modified):
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag is not None and etag in [tag.strip() for tag in if_none_match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since is None or modified is None:
            return False
        try:
            return email.utils.parsedate_to_datetime(modified) <= email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False

    def send_plain(self, status, body, send_body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def send_large(self, size, send_body):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if not send_body:
            return
        piece = b"x" * (1 << 20)
        left = size
        try:
            while left > 0:
                chunk = piece[: min(left, len(piece))]
                self.wfile.write(chunk)
                left -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading at its size limit


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    temporary = PORT_FILE + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    os.replace(temporary, PORT_FILE)
    server.serve_forever()


if __name__ == "__main__":
    main()
