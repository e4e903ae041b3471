"""Checks a domain XML of anx export libvirt for tests/gen/lv.yaml.
usage: check.py XML EXPECT.json; prints what differs, exits 1 then."""
import json
import sys
import xml.etree.ElementTree as ET

Q = "{http://libvirt.org/schemas/domain/qemu/1.0}"
dom = ET.parse(sys.argv[1]).getroot()
want = json.load(open(sys.argv[2]))
got = {
    "type": dom.get("type"),
    "name": dom.findtext("name"),
    "memory": [dom.find("memory").get("unit"), dom.findtext("memory")],
    "vcpu": dom.findtext("vcpu"),
    "machine": dom.find("os/type").get("machine"),
    "arch": dom.find("os/type").get("arch"),
    "loader": dom.findtext("os/loader"),
    "kernel": dom.findtext("os/kernel"),
    "cmdline": dom.findtext("os/cmdline"),
    "cpu": dom.find("cpu").get("mode"),
    "acpi": dom.find("features/acpi") is not None,
    "on_reboot": dom.findtext("on_reboot"),
    "emulator": dom.findtext("devices/emulator"),
    "disks": [[d.find("source").get("file"), d.find("target").get("dev"), d.find("address").get("bus"),
               d.find("address").get("slot")] for d in dom.findall("devices/disk")],
    "rng": [[r.find("address").get("bus"), r.find("address").get("slot")] for r in dom.findall("devices/rng")],
    "video": [[v.find("model").get("type"), v.find("address").get("slot")] for v in dom.findall("devices/video")],
    "graphics": [g.get("listen") for g in dom.findall("devices/graphics")],
    "console_log": dom.find("devices/serial/log").get("file"),
    "qemu_args": [a.get("value") for a in dom.findall(Q + "commandline/" + Q + "arg")],
}
bad = [f"{k}: got {got.get(k)!r}, want {v!r}" for k, v in want.items() if got.get(k) != v]
print("\n".join(bad))
sys.exit(1 if bad else 0)
