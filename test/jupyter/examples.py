"""Runs notebooks through nbclient on the installed kernelspec backprop-ts, as papermill and CI pipelines do, and
writes each executed notebook into OUT_DIR under its own name. Usage: examples.py OUT_DIR NOTEBOOK...
Run with Debian's python3 and JUPYTER_PATH pointing at the kernelspec's share/jupyter."""
import os
import sys

import nbformat
from nbclient import NotebookClient

out_dir, notebooks = sys.argv[1], sys.argv[2:]
for path in notebooks:
    nb = nbformat.read(path, as_version=4)
    nb.metadata['kernelspec'] = {'name': 'backprop-ts', 'display_name': 'Backprop (TypeScript)', 'language': 'typescript'}
    client = NotebookClient(nb, kernel_name='backprop-ts', timeout=600, allow_errors=True,
                            resources={'metadata': {'path': os.path.dirname(os.path.abspath(path))}})
    client.execute()
    nbformat.write(nb, os.path.join(out_dir, os.path.basename(path)))
    print('ran', path, file=sys.stderr)
