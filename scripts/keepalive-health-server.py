#!/usr/bin/env python3
"""Health endpoints that keep connections alive, as the platform's Node services do:
GET /health on 127.0.0.1 at every port from FIRST to LAST answers {"status":"ok"} over
HTTP/1.1 keep-alive. One process, asyncio; used by scripts/bench-probes.

    scripts/keepalive-health-server.py 4200 4249
"""
import asyncio, sys

BODY = b'{"status":"ok"}\n'
ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)) + BODY

async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if not head:
                break
            writer.write(ANSWER)
            await writer.drain()
            if b"connection: close" in head.lower():
                break
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()

async def main(first, last):
    servers = [await asyncio.start_server(serve, "127.0.0.1", port) for port in range(first, last + 1)]
    print("ready", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))

if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
