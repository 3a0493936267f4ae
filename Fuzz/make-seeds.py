#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus (Fuzz/Corpus/<target>/) from the captured daemon
answers in Tests/PodtopRuntimeTests/DockerCaptures, the bundled themes, and hand-made hostile
samples. Run again after a capture changes; libFuzzer's findings are kept beside these."""
import json, os, pathlib, re, struct

root = pathlib.Path(__file__).resolve().parent.parent
captures = root / "Tests/PodtopRuntimeTests/DockerCaptures"
corpus = root / "Fuzz/Corpus"

def put(target, name, data):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())

def frame(payload, stream=1):
    return bytes([stream, 0, 0, 0]) + struct.pack(">I", len(payload)) + payload

# Multiplexed and raw log streams: every dump in the capture, plus frames a proxy could break.
dumps = re.split(r"^## ", (captures / "logs-frames.hexdump.txt").read_text(), flags=re.M)[1:]
for index, dump in enumerate(dumps):
    data = b"".join(bytes.fromhex("".join(line[10:49].split())) for line in dump.splitlines()[1:] if re.match(r"^[0-9a-f]{8}:", line))
    target = "log-raw" if "ttybox" in dump.splitlines()[0] else "log-frames"
    put(target, f"capture-{index}", data)
put("log-frames", "no-timestamp", frame(b'  File "app.py", line 12, in handler\n'))
put("log-frames", "giant-header", bytes([1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]) + b"first line\n")
put("log-frames", "stream-3", frame(b"2026-11-30T10:28:32.462265339Z weird stream\n", stream=3))
put("log-raw", "cr-spoof", b"2026-11-30T10:28:32.462265339Z ERROR charge failed\rINFO ok\n")

# JSON lines: the event stream; json-file records.
events = (captures / "events-restart-and-health.jsonl").read_bytes()
put("json-lines", "events", events)
put("json-lines", "split", b'{"a":1}\n\n{"b":\n2}\r\n{"c":3}')
for index, line in enumerate(events.splitlines()[:12]):
    put("docker-event", f"event-{index}", line)
put("docker-event", "huge-time", b'{"Type":"container","Action":"die","Actor":{"ID":"x","Attributes":{"exitCode":"137"}},"timeNano":99999999999999999999}')
put("json-file", "records", b''.join(json.dumps({"log": text, "stream": stream, "time": "2026-11-30T10:28:32.462265339Z"}).encode() + b"\n"
                                      for text, stream in [("out line 1\n", "stdout"), ("partial ", "stdout"), ("rest\n", "stdout"), ("err\n", "stderr")]))
put("json-file", "escapes", b'{"log":"\\u001b]0;title\\u0007 \\ud83d\\ude00 \\t tab\\n","stream":"stdout","time":"2026-11-30T10:28:32Z"}\n')

# Docker answers.
put("docker-list", "capture", (captures / "containers-json-all.json").read_bytes())
put("docker-list", "edge-numbers", b'[{"Id":"a","Names":["/x"],"Created":18446744073709551615,"State":"exited","Status":"Exited (255) 1 second ago"},{"Names":7}]')
inspect = (captures / "inspect-compose-labelled-unhealthy.json").read_bytes()
put("docker-inspect", "capture", inspect)
put("docker-inspect", "edge-numbers", inspect.replace(b'"RestartCount": 0', b'"RestartCount": 18446744073709551615'))
put("docker-stats", "capture", (captures / "stats-stream-false-cgroupv1.json").read_bytes())

# Kubernetes objects, lists and watch lines.
pod = {"metadata": {"name": "auth-7d4f", "namespace": "dreamscape-dev", "uid": "u1", "resourceVersion": "41", "labels": {"app": "auth"}},
       "spec": {"nodeName": "k3s-1", "containers": [{"name": "auth", "image": "auth:1"}], "initContainers": [{"name": "init", "restartPolicy": "Always"}]},
       "status": {"phase": "Running", "startTime": "2026-12-07T10:00:00Z", "conditions": [{"type": "Ready", "status": "True"}],
                  "containerStatuses": [{"name": "auth", "ready": True, "restartCount": 3, "state": {"running": {"startedAt": "2026-12-07T10:00:01Z"}},
                                         "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}],
                  "initContainerStatuses": [{"name": "init", "ready": True, "started": True, "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}]}}
workload = {"kind": "Deployment", "metadata": {"name": "auth-service", "generation": 2, "resourceVersion": "7"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "auth"}}},
            "status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 2, "availableReplicas": 2,
                       "conditions": [{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}}
metrics = {"metadata": {"name": "auth-7d4f"}, "containers": [{"name": "auth", "usage": {"cpu": "2274433n", "memory": "18924Ki"}}]}
for kind, item in [("pods", pod), ("workloads", workload), ("metrics", metrics)]:
    put("kube-list", kind, json.dumps({"metadata": {"resourceVersion": "42"}, "items": [item, {"metadata": {}}]}))
for event in ["ADDED", "MODIFIED", "DELETED"]:
    put("kube-watch", f"pod-{event.lower()}", json.dumps({"type": event, "object": pod}))
put("kube-watch", "workload-modified", json.dumps({"type": "MODIFIED", "object": workload}))
put("kube-watch", "bookmark", json.dumps({"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "99"}}}))
put("kube-watch", "expired", json.dumps({"type": "ERROR", "object": {"kind": "Status", "code": 410, "reason": "Expired", "message": "too old"}}))
for text in ["250m", "2274433n", "18924Ki", "1.5Gi", "1e3", "-0.5", ".5", "5.", "9223372036854775807Ei", "1E-9", "12345678901234567890123456789012345678901234567890"]:
    put("kube-quantity", text.replace("/", "_"), text)

# Log lines, structure, health bodies.
hostile = ["t1 \x1b]0;pwned-title\x07 after", "clip \x1b]52;c;cm0gLXJmIC8K\x07", "cls \x1b[2J!", "\x1b[38;5;196mRED\x1b[0m",
           "dcs \x1bP$qm\x1b\\", "c1 \u009b31m csi", "bidi \u202eevil\u202c", "zw \u200b\ufeff\U000e0041", "tabs\t\t\tend",
           "ERROR charge failed\rINFO ok", "marks e\u0301\u0301\u0301\u0301\u0301\u0301", "nel \u0085 line"]
for index, text in enumerate(hostile):
    put("log-sanitizer", f"hostile-{index}", text.encode())
put("log-sanitizer", "invalid-utf8", b"\xc3\x28 \xe2\x82 \xf0\x9f\x98 \xff\xfe")
for index, text in enumerate(['{"level":"error","msg":"charge failed","user":42}', 'level=warn msg="slow query" ms=812',
                              '{"severity":"INFO","message":"ok","nested":{"a":[1,2]}}', 'time=2026 lvl=debug msg=x', '  {"msg":"\\u001b]0;t\\u0007"}']):
    put("log-structure", f"line-{index}", text)
for index, body in enumerate(['{"status":"ok"}', '{"status":"degraded","checks":{"db":"slow"}}', '{"status":"\\u001b]0;t\\u0007"}', "<html>ok</html>", "{not json"]):
    put("health-body", f"body-{index}", body)

# Files: config, themes, kubeconfig.
put("config", "full", """refresh: 2
theme: default
log_lines: 5000
read_only: false
pods:
  - name: Core
    services:
      - { name: NGINX, url: "http://127.0.0.1:80/health" }
      - { name: Auth, url: "http://127.0.0.1:3001/health", kubernetes: { service: auth-service, port: 3001, path: /health } }
      - { name: User, tcp: "127.0.0.1:3002", kubernetes: readiness }
infrastructure:
  - { name: MongoDB, tcp: "127.0.0.1:27017" }
kubernetes:
  environments:
    - { name: dev, context: k3s, namespace: dreamscape-dev }
""")
put("config", "base-60", "log_lines: 999999999999999999:0\n")
put("config", "anchors", "a: &x [*x]\nrefresh: !!float 1e400\n")
for theme in sorted((root / "themes").glob("*.yaml")):
    put("theme", theme.stem, theme.read_bytes())
put("kubeconfig", "full", """apiVersion: v1
current-context: dev
clusters:
- name: k3s
  cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
users:
- name: ops
  user:
    token: fuzz-secret-token
    exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/true, args: [a], env: [{name: A, value: b}]}
contexts:
- {name: dev, context: {cluster: k3s, user: ops, namespace: dreamscape-dev}}
""")
put("kubeconfig", "broken-secret", 'apiVersion: v1\nusers:\n- name: ops\n  user:\n    token: "fuzz-secret-token\n')
