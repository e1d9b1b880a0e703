#!/usr/bin/env python3
"""embed-idl.py IN OUT: turn the Varlink interface description into a C
string, so GetInterfaceDescription returns exactly the file in the tree."""
import sys

text = open(sys.argv[1], encoding="utf-8").read()
lines = ['/* Generated from %s; do not edit. */' % sys.argv[1].split('/')[-1],
         'extern const char varlink_idl_text[];',
         'const char varlink_idl_text[] =']
for line in text.splitlines(keepends=True):
    esc = line.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
    lines.append('\t"%s"' % esc)
lines[-1] += ';'
open(sys.argv[2], 'w', encoding="utf-8").write('\n'.join(lines) + '\n')
