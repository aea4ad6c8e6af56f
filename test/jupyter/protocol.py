"""Drives the installed kernelspec backprop-ts through jupyter_client's KernelManager, as JupyterLab and VS Code
do, and prints one JSON object with what each step saw; test/jupyter/jupyter.test.ts asserts on it.
Run with Debian's python3 and JUPYTER_PATH pointing at the kernelspec's share/jupyter."""
import json
import queue
import sys
import time

from jupyter_client.manager import KernelManager

TIMEOUT = 60
out = {}


def iopub_until_idle(kc, msg_id):
    """Every iopub message answering msg_id, up to its idle status."""
    msgs = []
    while True:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m['parent_header'].get('msg_id') != msg_id:
            continue
        msgs.append({'msg_type': m['msg_type'], 'content': m['content']})
        if m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle':
            return msgs


def reply_to(kc, msg_id, timeout=TIMEOUT):
    """The shell reply to msg_id (wait_for_ready may leave replies to its own kernel_info requests queued)."""
    while True:
        m = kc.get_shell_msg(timeout=timeout)
        if m['parent_header'].get('msg_id') == msg_id:
            return m


def execute(kc, code, **kw):
    msg_id = kc.execute(code, **kw)
    reply = reply_to(kc, msg_id)
    return {'reply': reply['content'], 'iopub': iopub_until_idle(kc, msg_id)}


km = KernelManager(kernel_name='backprop-ts')
started = time.time()
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=TIMEOUT)
out['ready_s'] = time.time() - started

msg_id = kc.kernel_info()
info = reply_to(kc, msg_id)
out['kernel_info'] = {'content': info['content'],
                      'iopub': [m['msg_type'] + ':' + m['content'].get('execution_state', '') for m in iopub_until_idle(kc, msg_id)]}

out['execute_value'] = execute(kc, 'const w = tensor([[1, 2], [3, 4]], { requiresGrad: true, name: "w" });\nconsole.log("hello");\n1 + 1')
out['execute_graph'] = execute(kc, 'const loss = w.mul(w).sum();\nloss.backward();')
out['execute_error'] = execute(kc, 'const a = 1;\nthrow new Error("boom");')
out['execute_silent'] = execute(kc, '41 + 1', silent=True)

out['complete_member'] = reply_to(kc, kc.complete('w.ma', 4))['content']
out['complete_global'] = reply_to(kc, kc.complete('tens', 4))['content']

# a graph redrawn in place by later backward() calls: update_display_data with the first output's display_id
out['execute_update'] = execute(kc, 'const q = tensor([1, 2], { requiresGrad: true });\n'
                                    'for (let i = 0; i < 3; i++) { q.mul(q).sum().backward(); await new Promise((r) => setTimeout(r, 400)); }')

# stop_on_error: an execute queued behind a failing one is aborted, not run
first = kc.execute('throw new Error("first")')
second = kc.execute('globalThis.ranAfterError = true')
out['abort'] = {'first': reply_to(kc, first)['content']['status'], 'second': reply_to(kc, second)['content']['status']}
out['abort_ran'] = execute(kc, 'globalThis.ranAfterError === true')

out['inspect'] = reply_to(kc, kc.inspect('w', 1))['content']

out['is_complete'] = {}
for code in ['const x = 1', 'for (let i = 0; i < 3; i++) {', 'const s = `abc', 'const = = 3']:
        out['is_complete'][code] = reply_to(kc, kc.is_complete(code))['content']

# interrupt a busy loop: the variables survive
execute(kc, 'let kept = 42;')
msg_id = kc.execute('while (true) {}')
time.sleep(1.0)
t0 = time.time()
km.interrupt_kernel()
reply = reply_to(kc, msg_id)
out['interrupt'] = {'reply': reply['content'], 'seconds': time.time() - t0, 'iopub': iopub_until_idle(kc, msg_id)}
out['after_interrupt'] = execute(kc, 'kept')

out['history'] = reply_to(kc, kc.history(hist_access_type='tail', n=2))['content']
out['comm_info'] = reply_to(kc, kc.comm_info())['content']

# a message signed with the wrong key is dropped: no reply
good_key = kc.session.key
kc.session.key = b'not-the-key'
try:
    reply_to(kc, kc.kernel_info(), timeout=3)
    out['bad_signature'] = 'answered'
except queue.Empty:
    out['bad_signature'] = 'ignored'
kc.session.key = good_key
out['good_signature_after'] = reply_to(kc, kc.kernel_info())['content']['status']

# restart: a fresh kernel, the variables are gone
km.restart_kernel(now=False)
kc.wait_for_ready(timeout=TIMEOUT)
out['after_restart'] = execute(kc, 'typeof kept')

out['alive_before_shutdown'] = km.is_alive()
kc.stop_channels()
km.shutdown_kernel(now=False)
out['alive_after_shutdown'] = km.is_alive()
print(json.dumps(out))
