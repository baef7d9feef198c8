"""An HL7 v2 MLLP listener for Hl7OutIT: python-hl7's asyncio MLLP server (Debian's python3-hl7).

Usage: mllp_peer.py PORT LOG REFUSALS [PATIENT]
Answers each message with an ACK. REFUSALS is a comma list of COUNT[:CODE] (CODE AE, the default,
or AR): the n-th distinct control id seen (of PATIENT's messages only, when given) is answered CODE
that many times before AA (e.g. "3:AR,1": the first three times AR, the second once AE). Every
message taken (AA) is appended to LOG as "AA <MSH-10> <PID-3.1>", every refusal as
"<CODE> <MSH-10> <PID-3.1>", so the test counts what the peer holds.
"""
import asyncio
import sys

import hl7
from hl7.mllp import start_hl7_server

PORT = int(sys.argv[1])
LOG = sys.argv[2]
REFUSALS = [(int(n.split(":")[0]), (n.split(":") + ["AE"])[1]) for n in sys.argv[3].split(",") if n]
PATIENT = sys.argv[4] if len(sys.argv) > 4 else None
seen = []
refused = {}


async def process(reader, writer):
    try:
        while not writer.is_closing():
            message = await reader.readmessage()
            control_id = str(message.segment("MSH")[10])
            patient = str(message.segment("PID")[3][0][0])
            counted = PATIENT is None or patient == PATIENT
            if counted and control_id not in seen:
                seen.append(control_id)
            nth = seen.index(control_id) if counted else len(REFUSALS)
            if nth < len(REFUSALS) and refused.get(control_id, 0) < REFUSALS[nth][0]:
                refused[control_id] = refused.get(control_id, 0) + 1
                code = REFUSALS[nth][1]
                line = "%s %s %s\n" % (code, control_id, patient)
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
