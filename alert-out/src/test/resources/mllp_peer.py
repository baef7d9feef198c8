"""An HL7 v2 MLLP listener for Hl7OutIT: python-hl7's asyncio MLLP server (Debian's python3-hl7).

Usage: mllp_peer.py PORT LOG REFUSE_FIRST
Answers each message with an ACK; the first REFUSE_FIRST distinct control ids get AE once, the
rest AA. Every message taken (AA) is appended to LOG as "AA <MSH-10> <PID-3.1>", every refusal as
"AE <MSH-10>", so the test counts what the peer holds.
"""
import asyncio
import sys

import hl7
from hl7.mllp import start_hl7_server

PORT = int(sys.argv[1])
LOG = sys.argv[2]
REFUSE_FIRST = int(sys.argv[3])
refused = set()


async def process(reader, writer):
    try:
        while not writer.is_closing():
            message = await reader.readmessage()
            control_id = str(message.segment("MSH")[10])
            patient = str(message.segment("PID")[3][0][0])
            if len(refused) < REFUSE_FIRST and control_id not in refused:
                refused.add(control_id)
                code, line = "AE", "AE %s\n" % control_id
            else:
                code, line = "AA", "AA %s %s\n" % (control_id, patient)
            with open(LOG, "a") as log:
                log.write(line)
            writer.writemessage(message.create_ack(code))
            await writer.drain()
    except asyncio.IncompleteReadError:
        pass
    finally:
        writer.close()


async def main():
    async with await start_hl7_server(process, host="127.0.0.1", port=PORT) as server:
        print("ready", flush=True)
        await server.serve_forever()


asyncio.run(main())
