#!/usr/bin/env python3
"""A test-only HTTP proxy in front of a real moto_server, for states moto never shows.

moto answers every EC2 call at once: attachments are "attached" and detaches complete
immediately, and it never refuses a device name. The EBS tests need the slow and stuck cases
real EC2 has, so this proxy forwards every request to moto unchanged and, only when the test
asks through files in CONTROL_DIR, alters what the driver sees:

  attaching-polls  N       after AttachVolume, the next N DescribeVolumes of that volume show
                           the attachment as "attaching" (moto's own answer, one word changed)
  hold-detach      VOL-ID  a DetachVolume of VOL-ID without Force is answered "detaching" and
                           NOT forwarded; DescribeVolumes of it then show "detaching" (moto
                           still has it attached) until a DetachVolume with Force=true arrives,
                           which is forwarded to moto
  busy-devices     NAMES   AttachVolume to one of these device names gets EC2's error
                           InvalidParameterValue "Attachment point DEV is already in use"

Every request body is appended to CONTROL_DIR/requests.log and every request's headers to
CONTROL_DIR/headers.log, so a test can check what the driver sent.

usage: ec2_state_proxy.py PORT UPSTREAM_URL CONTROL_DIR
"""
import http.server
import os
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

PORT, UPSTREAM, CONTROL = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()
attaching = {}  # volume id -> polls left showing "attaching"
held = set()    # volume ids whose detach is held


def control(name):
    try:
        with open(os.path.join(CONTROL, name)) as f:
            return f.read().split()
    except FileNotFoundError:
        return []


def append(name, text):
    with lock, open(os.path.join(CONTROL, name), "a") as f:
        f.write(text + "\n")


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def forward(self, body):
        request = urllib.request.Request(UPSTREAM + self.path, data=body, method="POST")
        for key, value in self.headers.items():
            if key.lower() not in ("host", "content-length", "connection"):
                request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        text = body.decode()
        append("requests.log", text)
        append("headers.log", "\n".join(f"{k}: {v}" for k, v in self.headers.items()))
        form = dict(urllib.parse.parse_qsl(text))
        action, volume = form.get("Action"), form.get("VolumeId") or form.get("VolumeId.1")

        if action == "AttachVolume" and form.get("Device") in control("busy-devices"):
            device = form["Device"]
            return self.answer(400, '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>'
                                    "<Code>InvalidParameterValue</Code><Message>Attachment point "
                                    f"{device} is already in use</Message></Error></Errors>"
                                    "<RequestID>proxy</RequestID></Response>")
        if action == "DetachVolume" and form.get("Force") != "true" and volume in control("hold-detach"):
            with lock:
                held.add(volume)
            return self.answer(200, '<?xml version="1.0" encoding="UTF-8"?><DetachVolumeResponse '
                                    'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
                                    f"<volumeId>{volume}</volumeId><instanceId>{form.get('InstanceId')}</instanceId>"
                                    f"<status>detaching</status><requestId>proxy</requestId></DetachVolumeResponse>")

        status, answer = self.forward(body)
        with lock:
            if action == "AttachVolume" and status == 200:
                polls = control("attaching-polls")
                if polls:
                    attaching[volume] = int(polls[0])
            if action == "DetachVolume" and form.get("Force") == "true":
                held.discard(volume)
            if action == "DescribeVolumes" and status == 200 and volume:
                if volume in held:
                    answer = answer.replace("<status>attached</status>", "<status>detaching</status>")
                elif attaching.get(volume, 0) > 0:
                    attaching[volume] -= 1
                    answer = answer.replace("<status>attached</status>", "<status>attaching</status>")
        self.answer(status, answer)


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Proxy)
server.serve_forever()
