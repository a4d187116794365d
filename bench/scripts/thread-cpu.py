#!/usr/bin/env python3
# The CPU time and voluntary context switches (wake-ups) of a JVM's threads per op, grouped by thread
# name, between two snapshots of /proc/PID/task:
#   thread-cpu.py snapshot PID FILE   (before and after a load-generator run against PID)
#   thread-cpu.py diff BEFORE AFTER OPS
import os, sys, re, json, collections
# CPU is read in clock ticks (utime + stime), 100 a second on Linux.
def snap(pid):
    out = {}
    for t in os.listdir(f'/proc/{pid}/task'):
        try:
            name = open(f'/proc/{pid}/task/{t}/comm').read().strip()
            st = open(f'/proc/{pid}/task/{t}/stat').read()
            fields = st[st.rindex(')')+2:].split()
            cpu = int(fields[11]) + int(fields[12])
            sw = open(f'/proc/{pid}/task/{t}/status').read()
            v = int(re.search(r'voluntary_ctxt_switches:\s+(\d+)', sw).group(1))
            out[t] = (name, cpu, v)
        except (OSError, AttributeError, ValueError):
            pass  # the thread ended between listing and reading it
    return out
if sys.argv[1] == 'snapshot':
    json.dump(snap(sys.argv[2]), open(sys.argv[3], 'w'))
else:
    a = json.load(open(sys.argv[2])); b = json.load(open(sys.argv[3])); ops = float(sys.argv[4])
    g = collections.defaultdict(lambda: [0, 0])
    for t, (name, cpu, v) in b.items():
        ca, va = (a[t][1], a[t][2]) if t in a else (0, 0)
        key = re.sub(r'[-#]?\d+$', '', re.sub(r'\(\d+\)', '(n)', name))
        g[key][0] += cpu - ca; g[key][1] += v - va
    tot = sum(x[0] for x in g.values())
    print(f'{"thread group":32} {"us CPU/op":>10} {"wakeups/op":>10}')
    for k, (c, v) in sorted(g.items(), key=lambda kv: -kv[1][0]):
        if c or v > ops*0.01:
            print(f'{k:32} {c*10000/ops:10.1f} {v/ops:10.2f}')
    print(f'{"total":32} {tot*10000/ops:10.1f}')
