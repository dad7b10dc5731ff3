#!/usr/bin/env python3
"""A tiny local agent for tools/run: connects to the connector's /ws/agent with the local token,
registers for one workspace and answers every message it is given (protocol:
Sources/LocalAPI/AGENT_PROTOCOL.md). Usage: demo-agent.py WS_URL TOKEN_FILE WORKSPACE"""
import asyncio
import json
import sys

try:
    import websockets
except ImportError:  # a pyenv/venv python without it: Debian's python3-websockets is in /usr/bin
    import os
    if sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise


async def main(url: str, token_file: str, workspace: str) -> None:
    token = open(token_file).read().strip()
    async with websockets.connect(url, extra_headers={"Authorization": "Bearer " + token}) as ws:
        await ws.send(json.dumps({"type": "register", "workspaces": [workspace]}))
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "registered":
                print("READY", flush=True)
            elif frame.get("type") == "message":
                text = "Agent for %s: your weekly briefing is ready (you said: %s)" % (workspace, frame.get("text"))
                await ws.send(json.dumps({"type": "reply", "task_id": frame["task_id"], "text": text}))


asyncio.run(main(*sys.argv[1:4]))
