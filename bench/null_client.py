"""The harness's own ceiling: a minimal gateway + REST client (no discord.py) that answers every interaction.

It reads INTERACTION_CREATE from the websocket and posts a fixed ephemeral reply, nothing else: whatever rate
the loopback and the load generator reach with it is the most any bot can show on this harness.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal

import aiohttp

REPLY = json.dumps({"type": 4, "data": {"content": "null", "flags": 64}}).encode()


async def run(session: aiohttp.ClientSession, api: str, gateway: str, token: str) -> None:
    pending: set[asyncio.Task] = set()

    async def answer(data: dict) -> None:
        url = f"{api}/interactions/{data['id']}/{data['token']}/callback?with_response=true"
        async with session.post(url, data=REPLY, headers={"Content-Type": "application/json"}) as response:
            await response.read()

    async with session.ws_connect(f"{gateway}?v=10&encoding=json", max_msg_size=0) as ws:
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            payload = json.loads(msg.data)
            if payload["op"] == 10:
                await ws.send_json({"op": 2, "d": {"token": token, "intents": 1, "properties": {}}})
            elif payload["op"] == 0 and payload["t"] == "INTERACTION_CREATE":
                task = asyncio.create_task(answer(payload["d"]))
                pending.add(task)
                task.add_done_callback(pending.discard)


async def main() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with aiohttp.ClientSession() as session:
        runner = asyncio.create_task(
            run(session, os.environ["DISCORD_API_BASE"], os.environ["DISCORD_GATEWAY_URL"], os.environ["DISCORD_TOKEN"])
        )
        await stop.wait()
        runner.cancel()


if __name__ == "__main__":
    asyncio.run(main())
