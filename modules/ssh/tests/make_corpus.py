#!/usr/bin/env python3
"""Write the fuzz targets' seed corpora (tests/corpus/) from the recorded
OpenSSH sessions in ../shared/testdata/crypto/ssh-sessions. Run once by
hand (python3 tests/make_corpus.py from modules/ssh); the seeds are kept
in the repository, so the fuzzers do not need the test data."""
import base64, json, os, struct, sys

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, '../../../../shared/testdata/crypto')
sess = os.path.join(data, 'ssh-sessions')

def recording(path):
    """the client-to-server bytes of a recording (hexdump -C flows)"""
    out, d = bytearray(), None
    for line in open(path):
        if line.startswith('>>> Flow'):
            d = 'client to server' in line
        elif d and len(line) > 10:
            hexpart = line[8:].split('|')[0]
            out += bytes.fromhex(''.join(hexpart.split()))
    return bytes(out)

def write(sub, name, b):
    os.makedirs(os.path.join(here, 'corpus', sub), exist_ok=True)
    open(os.path.join(here, 'corpus', sub, name), 'wb').write(b)

for name in ['Server-Cipher-chacha20-poly1305', 'Client-Cipher-chacha20-poly1305']:
    kex = json.load(open(os.path.join(sess, name + '.kex.json')))
    pk = json.load(open(os.path.join(sess, name + '.packets.json')))
    short = name.split('-')[0].lower()
    c2s = recording(os.path.join(sess, name + '@openssh.com'))
    plain = c2s[c2s.index(b'\n') + 1:]
    end = 0
    for _ in range(3):  # KEXINIT, ECDH_INIT, NEWKEYS
        end += 4 + struct.unpack('>I', plain[end:end + 4])[0]
    write('packet', short + '-none', b'\0' + bytes(4) + plain[:end])
    for d, key in (('c', 'C'), ('s', 'D')):
        wire = b''.join(bytes.fromhex(p['wire']) for p in pk[d][:3])
        write('packet', '%s-chacha-%s' % (short, d), b'\1' + bytes(4) + bytes.fromhex(kex['keys'][key]) + wire)
        if d == 's' and pk[d][0]['msg'] == 7:
            write('kexinit', short + '-ext-info', bytes.fromhex(pk[d][0]['payload']))
    write('kexinit', short + '-i_c', bytes.fromhex(kex['I_C']))
    write('kexinit', short + '-i_s', bytes.fromhex(kex['I_S']))
    write('kexinit', short + '-ecdh-init', b'\x1e' + struct.pack('>I', 32) + bytes.fromhex(kex['Q_C']))
pub = open(os.path.join(data, 'openssh/sshkey-testdata-ed25519_1.pub')).read().split()[1]
write('kexinit', 'ed25519-key-blob', base64.b64decode(pub))
