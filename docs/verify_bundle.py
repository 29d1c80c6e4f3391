#!/usr/bin/env python3
"""Reference verifier of a Jejak offline bundle (jejak-bundle/1); trusts only the pinned keys.
Usage: python3 verify_bundle.py BUNDLE.ndjson checkpoint.vkey [WITNESS.vkey ... [--quorum K]]
With witness keys (cosignature/v1), K of them (default: all) must have cosigned the
checkpoint.   (needs: pip install cryptography)"""
import base64, hashlib, json, struct, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
H = lambda b: hashlib.sha256(b).digest()

def canonical(obj):  # RFC 8785 for what entries hold: ASCII keys, strings, integers, no floats
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

def merkle_root(level):  # RFC 9162 tree: pair up each level; an odd last node moves up unchanged
    while len(level) > 1:
        level = [H(b"\x01" + level[i] + level[i + 1]) if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
    return level[0]

def cosigned(note_text, signatures, witness_path):  # C2SP tlog-cosignature, cosignature/v1
    name, key_id, key_b64 = open(witness_path).read().strip().split("+", 2)
    raw = base64.b64decode(key_b64)
    assert raw[0] == 4 and len(raw) == 33, f"{witness_path}: not a cosignature/v1 key"
    assert H(name.encode() + b"\n" + raw)[:4].hex() == key_id, f"{witness_path}: key ID does not match"
    for sig in signatures.splitlines():
        dash, signer, blob = sig.split(" ")
        blob = base64.b64decode(blob)
        if dash == "\u2014" and signer == name and blob[:4].hex() == key_id and len(blob) == 76:
            message = b"cosignature/v1\ntime %d\n" % struct.unpack(">Q", blob[4:12]) + note_text.encode()
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(blob[12:], message)  # raises if bad
            return name
    return None

def verify(bundle_path, vkey_path, witness_paths=(), quorum=None):
    vkey = open(vkey_path).read().strip()
    name, key_id, key_b64 = vkey.split("+", 2)
    raw = base64.b64decode(key_b64)
    assert raw[0] == 1 and len(raw) == 33, "not an Ed25519 signed-note key"
    assert H(name.encode() + b"\n" + raw)[:4].hex() == key_id, "key ID does not match the key"
    lines = open(bundle_path, "rb").read().split(b"\n")
    assert lines.pop() == b"", "bundle does not end with a newline"
    header = json.loads(lines[0])  # its "key" is never trusted: only the pinned key counts
    assert header["format"] == "jejak-bundle/1" and header["origin"] == name, "not this ledger's bundle"
    leaves, chain = [], bytes(32)
    for seq, line in enumerate(lines[1:-1]):
        entry = json.loads(line)
        assert canonical(entry) == line, f"seq {seq}: not in canonical form"
        assert entry["seq"] == seq and (entry["kind"] == "genesis") == (seq == 0), f"seq {seq}: out of place"
        assert seq > 0 or (entry["checkpoint_key"] == vkey and entry["origin"] == name), "genesis: other key"
        leaves.append(H(b"\x00" + line))
        chain = H(chain + leaves[-1])
    assert leaves, "bundle holds no entries"
    note = json.loads(lines[-1])["checkpoint"]
    text, signatures = note.split("\n\n", 1)
    text += "\n"  # the signed text ends with its newline
    signed = False
    for sig in signatures.splitlines():
        dash, signer, blob = sig.split(" ")
        blob = base64.b64decode(blob)
        if dash == "\u2014" and signer == name and blob[:4].hex() == key_id and len(blob) == 68:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(blob[4:], text.encode())  # raises if bad
            signed = True
    assert signed, "checkpoint is not signed by the pinned key"
    origin, size, root, chain_line, time_line = text.splitlines()
    assert origin == name and int(size) == len(leaves), "checkpoint covers other entries"
    assert base64.b64decode(root) == merkle_root(leaves), "Merkle root differs"
    assert chain_line == "chain " + chain.hex() and time_line.startswith("time "), "chain hash differs"
    witnesses = {w for w in (cosigned(text, signatures, path) for path in witness_paths) if w}
    needed = len(witness_paths) if quorum is None else quorum
    assert len(witnesses) >= needed, f"witness quorum not met: {len(witnesses)} of {needed} cosigned"
    return (f"OK: {len(leaves)} entries of {name}, root {merkle_root(leaves).hex()}"
            + (f", cosigned by {', '.join(sorted(witnesses))}" if witnesses else ""))

if __name__ == "__main__":
    try:
        args, quorum = sys.argv[1:], None
        if "--quorum" in args:
            at = args.index("--quorum")
            quorum = int(args[at + 1])
            assert 1 <= quorum <= len(args) - 4, "--quorum K needs K witness keys"
            del args[at:at + 2]
        print(verify(args[0], args[1], args[2:], quorum))
    except Exception as error:  # any failure at all means: do not rely on this bundle
        print("FAILED:", repr(error)); sys.exit(1)
