"""hello-service: answers GET / with its name and version, GET /health with "ok"."""
import argparse
import http.server
import json


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--version", default="unknown")
    args = parser.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/health":
                body = b"ok\n"
            else:
                body = (json.dumps({"service": "hello-service", "version": args.version}) + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain" if self.path == "/health" else "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *rest: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("0.0.0.0", args.port), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
