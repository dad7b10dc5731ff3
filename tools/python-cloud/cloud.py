#!/usr/bin/env python3
"""A small, independent cloud peer for PROTOCOL.md (cloud side), written from that page alone.

It exists so tests can prove the Swift connector interoperates with a cloud that is not our own
Swift code. One 127.0.0.1 port serves both `GET /device-token` (plain HTTP, answered from
websockets' process_request hook) and the WebSocket on any other path. Messages are stored in
SQLite (committed before the ack, R5), deduplicated by (device_id, seq) and by id (R6), and a JSON
state file is rewritten atomically after every change so tests can read what the cloud holds.
Only the standard library and Debian's python3-websockets (10.4, legacy asyncio API) are used.
"""
import argparse
import asyncio
import datetime
import http
import json
import logging
import os
import secrets
import signal
import sqlite3
import sys
import time
import uuid

try:
    import websockets
except ImportError:
    # A pyenv or venv python3 may shadow Debian's, which is where python3-websockets lives.
    if os.path.exists("/usr/bin/python3") and not os.environ.get("PYTHON_CLOUD_REEXEC"):
        os.environ["PYTHON_CLOUD_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise

log = logging.getLogger("python-cloud")
OUTBOX_TYPES = ("execution_event", "usage_report", "messaging_reply")
MAX_FRAME = 1 << 20  # §1: larger frames are protocol errors, dropped (not a disconnect)
TOKEN_LIFETIME_S = 3600


def now_ts():
    """RFC 3339 UTC with milliseconds and Z, as §2 asks for `ts`."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def bearer(headers):
    value = headers.get("Authorization", "")
    return value[7:].strip() if value.lower().startswith("bearer ") else None


class Store:
    """Everything durable: messages, per-device counters, tokens. One SQLite file, so a restarted
    cloud (same --state-file) still holds what it acked and still knows the tokens it issued."""

    def __init__(self, path):
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # an ack must survive a power cut, not just a crash
        with self.db:
            self.db.executescript("""
                CREATE TABLE IF NOT EXISTS messages (device_id TEXT NOT NULL, seq INTEGER NOT NULL,
                    id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, ts TEXT, payload TEXT NOT NULL,
                    PRIMARY KEY (device_id, seq));
                CREATE TABLE IF NOT EXISTS devices (device_id TEXT PRIMARY KEY,
                    duplicates INTEGER NOT NULL DEFAULT 0, acked_seq INTEGER NOT NULL DEFAULT 0,
                    seqs_in_order INTEGER NOT NULL DEFAULT 1);
                CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, device_id TEXT NOT NULL,
                    tenant_id TEXT NOT NULL, expires_at REAL NOT NULL);""")

    def issue_token(self, device, tenant):
        token = secrets.token_urlsafe(24)
        with self.db:
            self.db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)",
                            (token, device, tenant, time.time() + TOKEN_LIFETIME_S))
        return token

    def grant(self, token):
        """(device_id, tenant_id) the token was issued for, or None if unknown or expired."""
        row = self.db.execute("SELECT device_id, tenant_id, expires_at FROM tokens WHERE token = ?",
                              (token or "",)).fetchone()
        return row[:2] if row and row[2] > time.time() else None

    def bump(self, name):
        with self.db:
            self.db.execute("INSERT INTO counters VALUES (?, 1) "
                            "ON CONFLICT(name) DO UPDATE SET value = value + 1", (name,))

    def highest(self, device):
        return self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM messages WHERE device_id = ?",
                               (device,)).fetchone()[0]

    def put(self, device, frame, in_order):
        """Stores one outbox message (or counts it as a duplicate) in one committed transaction and
        returns the seq to ack: the highest held, never lower than an ack already sent (R5)."""
        with self.db:
            self.db.execute("INSERT OR IGNORE INTO devices (device_id) VALUES (?)", (device,))
            held = self.db.execute("SELECT 1 FROM messages WHERE (device_id = ? AND seq = ?) OR id = ?",
                                   (device, frame["seq"], frame["id"])).fetchone()
            if held:
                self.db.execute("UPDATE devices SET duplicates = duplicates + 1 WHERE device_id = ?", (device,))
            else:
                self.db.execute("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?)",
                                (device, frame["seq"], frame["id"], frame["type"], frame.get("ts"),
                                 json.dumps(frame.get("payload"))))
            if not in_order:
                self.db.execute("UPDATE devices SET seqs_in_order = 0 WHERE device_id = ?", (device,))
            self.db.execute("UPDATE devices SET acked_seq = MAX(acked_seq, ?) WHERE device_id = ?",
                            (self.highest(device), device))
            return self.db.execute("SELECT acked_seq FROM devices WHERE device_id = ?", (device,)).fetchone()[0]

    def snapshot(self):
        q = self.db.execute
        devices = {}
        for device, dups, acked, in_order in q("SELECT device_id, duplicates, acked_seq, seqs_in_order FROM devices"):
            count, highest = q("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM messages WHERE device_id = ?",
                               (device,)).fetchone()
            by_type = dict(q("SELECT type, COUNT(*) FROM messages WHERE device_id = ? GROUP BY type", (device,)))
            devices[device] = {"messages": count, "duplicates": dups, "acked_seq": acked,
                               "highest_seq": highest, "by_type": by_type, "seqs_in_order": bool(in_order)}
        counters = dict(q("SELECT name, value FROM counters"))
        return {"devices": devices, "connections": counters.get("connections", 0),
                "heartbeats": counters.get("heartbeats", 0), "bad_frames": counters.get("bad_frames", 0)}


class Cloud:
    def __init__(self, args):
        self.args = args
        self.store = Store(os.path.splitext(args.state_file)[0] + ".sqlite")
        self.write_state()

    def write_state(self):
        # Temp file + os.replace: a test reading the file never sees half of it.
        tmp = f"{self.args.state_file}.tmp"
        with open(tmp, "w") as f:
            json.dump(self.store.snapshot(), f, indent=2, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.args.state_file)

    async def process_request(self, path, headers):
        """Runs before every upgrade: answers the token endpoint as plain HTTP and refuses an upgrade
        without a valid token with 401, which tells the device to fetch a new token (§3)."""
        if path.split("?", 1)[0] == "/device-token":
            return self.token_response(headers)
        grant = self.store.grant(bearer(headers))
        claimed = headers.get("X-Device-Id")
        if grant is None or (claimed is not None and claimed != grant[0]):
            log.warning("upgrade refused: missing, unknown or expired token (device %s)", claimed)
            return reply(401, {"code": "unauthorized", "message": "invalid token"})
        return None

    def token_response(self, headers):
        if self.args.api_key and bearer(headers) != self.args.api_key:
            log.warning("token refused: bad or missing API key")  # never log the key itself
            return reply(401, {"code": "unauthorized", "message": "bad or missing API key"})
        device, tenant = headers.get("X-Device-Id", ""), headers.get("X-Tenant-Id", "")
        if not device or not tenant:
            return reply(400, {"code": "bad_request", "message": "X-Device-Id and X-Tenant-Id are required"})
        log.info("token issued to device %s (tenant %s)", device, tenant)
        return reply(200, {"token": self.store.issue_token(device, tenant), "expires_in": TOKEN_LIFETIME_S})

    def bad_frame(self, why):
        log.warning("bad frame dropped: %s", why)  # R15: log, drop, keep going
        self.store.bump("bad_frames")
        self.write_state()

    def parse(self, raw):
        """The frame as a dict, or None (logged and counted) when §1 calls it a protocol error."""
        if isinstance(raw, bytes):
            return self.bad_frame("binary frame")
        if len(raw.encode()) > MAX_FRAME:
            return self.bad_frame("frame larger than 1 MiB")
        try:
            frame = json.loads(raw)
        except ValueError:
            return self.bad_frame("invalid JSON")
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            return self.bad_frame("missing type")
        return frame

    async def handle(self, ws):
        try:
            device = await self.handshake(ws)
            if device is not None:
                await self.serve_device(ws, device)
        except websockets.ConnectionClosed:
            pass
        except asyncio.TimeoutError:
            log.warning("no connect frame in time")
            await ws.close(4400, "no connect")

    async def handshake(self, ws):
        """§3.3–3.4: the first valid frame must be `connect` matching the upgrade's token."""
        token = bearer(ws.request_headers)
        device, tenant = self.store.grant(token) or ("", "")
        frame = None
        while frame is None:  # bad frames before `connect` are dropped too
            frame = self.parse(await asyncio.wait_for(ws.recv(), timeout=30))
        p = frame.get("payload") if isinstance(frame.get("payload"), dict) else {}
        if frame["type"] != "connect":
            return await refuse(ws, "protocol_error", "first frame must be connect", 4400)
        if p.get("token") != token or p.get("device_id") != device:
            return await refuse(ws, "unauthorized", "token does not match device", 4401)
        if p.get("tenant_id") != tenant:
            return await refuse(ws, "tenant_mismatch", "token was issued for another tenant", 4403)
        if p.get("protocol") != 1:
            return await refuse(ws, "protocol_unsupported", "only protocol 1 is spoken here", 4400)
        self.store.bump("connections")
        self.write_state()
        acked = self.store.highest(device)  # §3.4: what is durably held, 0 if none
        log.info("device %s connected (resume.last_seq=%s, acked_seq=%d)",
                 device, (p.get("resume") or {}).get("last_seq"), acked)
        await send(ws, "connect_ack", {"session_id": str(uuid.uuid4()), "acked_seq": acked,
                                       "tenant_id": tenant, "heartbeat_interval_ms": self.args.heartbeat_ms,
                                       "max_inflight": self.args.max_inflight})
        return device

    async def serve_device(self, ws, device):
        last_seq = 0  # R4 is per connection, so this resets on every connect
        async for raw in ws:
            frame = self.parse(raw)
            if frame is None:
                continue
            kind = frame["type"]
            if kind == "heartbeat":
                self.store.bump("heartbeats")
                self.write_state()
                await send(ws, "heartbeat_ack", {"ts": now_ts()})
            elif kind in OUTBOX_TYPES:
                seq = frame.get("seq")
                if type(seq) is not int or seq < 1 or not isinstance(frame.get("id"), str):
                    self.bad_frame(f"{kind} without a valid seq and id")
                    continue
                in_order = seq >= last_seq
                if not in_order:
                    log.warning("device %s sent seq %d after %d on one connection (R4)", device, seq, last_seq)
                last_seq = max(last_seq, seq)
                acked = self.store.put(device, frame, in_order)  # committed before the ack (R5)
                self.write_state()
                await send(ws, "ack", {"seq": acked})
            elif kind == "connect":
                return await refuse(ws, "protocol_error", "connect sent twice", 4400)
            elif kind != "pong":
                log.info("unknown frame type %r ignored", kind)  # §1: forward compatibility


def reply(status, body):
    return (http.HTTPStatus(status), [("Content-Type", "application/json")], json.dumps(body).encode())


async def send(ws, kind, payload):
    await ws.send(json.dumps({"type": kind, "id": str(uuid.uuid4()), "ts": now_ts(), "payload": payload}))


async def refuse(ws, code, message, close_code):
    log.warning("connection refused: %s (%s)", code, message)
    await send(ws, "error", {"code": code, "message": message})
    await ws.close(close_code, code)
    return None


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state-file", required=True, help="JSON snapshot; the SQLite store sits next to it")
    parser.add_argument("--api-key", help="when set, /device-token requires Authorization: Bearer KEY")
    parser.add_argument("--heartbeat-ms", type=int, default=15000)
    parser.add_argument("--max-inflight", type=int, default=1000)
    args = parser.parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s python-cloud %(levelname)s %(message)s")
    logging.getLogger("websockets").setLevel(logging.WARNING)
    cloud = Cloud(args)

    stop = asyncio.get_running_loop().create_future()
    # A parent may start us with these blocked (Swift's test runner does, and a blocked mask is
    # inherited through exec): unblock them, or SIGTERM would never arrive.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    # max_size above 1 MiB so an oversized frame reaches parse() and is dropped, not fatal (§1).
    async with websockets.serve(cloud.handle, "127.0.0.1", args.port, process_request=cloud.process_request,
                                max_size=4 * MAX_FRAME, ping_interval=None) as server:  # liveness is R9's job
        port = server.sockets[0].getsockname()[1]
        print(f"READY ws=ws://127.0.0.1:{port}/ws api=http://127.0.0.1:{port}", flush=True)
        await stop
        log.info("shutting down")  # leaving `async with` closes every socket with 1001


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
