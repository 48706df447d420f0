"""A minimal, fast SMTP sink for the benchmark: accepts everything, keeps only a count.

The capture server in :mod:`kanava.testing.smtp` (aiosmtpd) parses and keeps
every message, which makes it the bottleneck of a throughput benchmark on a
2-core machine.  This sink speaks just enough SMTP for smtplib (EHLO/HELO,
MAIL, RCPT, DATA, RSET, NOOP, QUIT) and runs in a process of its own, so the
benchmark measures Kanava rather than the test server.
"""

import asyncio
import multiprocessing
import socket


async def _session(reader, writer, counter):
    writer.write(b"220 kanava-sink ESMTP\r\n")
    recipients = 0
    while True:
        line = await reader.readline()
        if not line:
            break
        verb = line[:4].upper()
        if verb == b"DATA":
            writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            while True:
                chunk = await reader.readline()
                if not chunk or chunk == b".\r\n":
                    break
            with counter.get_lock():
                counter.value += recipients
            recipients = 0
            writer.write(b"250 OK\r\n")
        elif verb == b"RCPT":
            recipients += 1
            writer.write(b"250 OK\r\n")
        elif verb == b"EHLO":
            writer.write(b"250-kanava-sink\r\n250 8BITMIME\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 Bye\r\n")
            await writer.drain()
            break
        else:  # HELO, MAIL, RSET, NOOP
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()


def _serve(sock, counter):
    async def main():
        server = await asyncio.start_server(lambda r, w: _session(r, w, counter), sock=sock)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class SMTPSink:
    """``with SMTPSink() as sink: ... sink.port ... sink.count``"""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.counter = multiprocessing.Value("q", 0)
        self.process = multiprocessing.Process(target=_serve, args=(self.sock, self.counter), daemon=True)

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    @property
    def count(self) -> int:
        return self.counter.value

    def start(self) -> "SMTPSink":
        self.process.start()
        return self

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(5)
        self.sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
