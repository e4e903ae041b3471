# anx export libvirt against a q35-like fake platform (tests/gen/export/):
# the domain XML validates against libvirt's schema (virt-xml-validate,
# when libvirt-clients is installed), says what the manifest and the
# platform say (tests/gen/export/check.py reads it back with Python's XML
# parser: the escaped command line must come back unchanged), passes the
# arguments libvirt has no element for to QEMU in order, and the usage
# errors. Sourced by tests/gen/run.sh (uses $anx, $out, $here, ok and bad).
# The boot with a real libvirt is tests/boot/libvirt.sh.
ex=$here/export
lvtree=$out/tree-lv
rm -rf "$lvtree"
cp -r "$here/tree" "$lvtree"
mkdir -p "$lvtree/platforms/fake-lv"
cp "$ex/platform.yaml" "$lvtree/platforms/fake-lv/"
# a folder whose name holds "--", which an XML comment may not hold
lvdir=$out/export--dir
mkdir -p "$lvdir"
cp "$ex/lv.yaml" "$ex/ctl.yaml" "$lvdir/"
lvb=$out/build/lv-fake-lv

# validate XML: the schema check, or one skip line when it cannot run here
validate() {
    if ! command -v virt-xml-validate >/dev/null || ! command -v xmllint >/dev/null; then
        echo "skip  export/$2: virt-xml-validate is not installed (Debian: libvirt-clients, libxml2-utils)"
        return
    fi
    if virt-xml-validate "$1" domain >"$out/validate.log" 2>&1; then
        ok "export/$2"
    else
        bad "export/$2" "$(cat "$out/validate.log")"
    fi
}

ANX_ROOT=$lvtree "$anx" export libvirt "$lvdir/lv.yaml" -o "$out/lv.xml" >"$out/stdout" 2>"$out/stderr"
rc=$?
if [ $rc = 0 ] && [ -s "$out/lv.xml" ] && grep -q "^wrote .*lv.xml (domain lv, type qemu)$" "$out/stdout" &&
    grep -q "^run it: virsh -c qemu:///session define $out/lv.xml && virsh -c qemu:///session start lv$" "$out/stdout" &&
    grep -q '^  compile ' "$out/stderr" && ! grep -q 'AddressSanitizer\|runtime error' "$out/stderr"; then
    ok "export/libvirt builds (step lines on stderr) and writes the XML"
else
    bad "export/libvirt builds (step lines on stderr) and writes the XML" "exit $rc: $(cat "$out/stdout" "$out/stderr")"
fi
validate "$out/lv.xml" "the XML is a valid libvirt domain (virt-xml-validate)"
cat >"$out/lv.expect.json" <<JSON
{"type": "qemu", "name": "lv", "memory": ["MiB", "48"], "vcpu": "2", "machine": "q35", "arch": "x86_64",
 "loader": "/usr/share/qemu/qboot.rom", "kernel": "$lvb/image.elf",
 "cmdline": "a<b & c>d 'single' \"double\" --x", "cpu": "maximum", "acpi": true, "on_reboot": "destroy",
 "emulator": "$lvtree/platforms/fake/fakeqemu.sh",
 "disks": [["$lvb/disk.img", "vda", "0x00", "0x03"]], "rng": [["0x00", "0x02"]], "video": [["vga", "0x01"]],
 "graphics": ["127.0.0.1"], "console_log": "$lvb/libvirt-console.log",
 "qemu_args": ["-machine", "kernel-irqchip=split", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:8080-:80", "-device", "virtio-net-pci,netdev=net0"]}
JSON
if res=$(python3 "$ex/check.py" "$out/lv.xml" "$out/lv.expect.json" 2>&1); then
    ok "export/libvirt: name, memory, vcpus, machine, firmware, kernel, the escaped cmdline, disk, rng, VGA, the rest to QEMU in order"
else
    bad "export/libvirt: the domain says what the manifest and platform say" "$res"
fi
if [ -f "$lvb/disk.img" ] && [ "$(stat -c %s "$lvb/disk.img")" = $((8 << 20)) ] && grep -q "created disk" "$out/stderr"; then
    ok "export/libvirt makes the manifest's run: disk (8M, sparse) as anx run would"
else
    bad "export/libvirt makes the manifest's run: disk" "$(ls -l "$lvb" 2>&1; cat "$out/stderr")"
fi

# -o -: the XML alone on stdout; --accel kvm, --name, --port, --boot
ANX_ROOT=$lvtree "$anx" export libvirt "$lvdir/lv.yaml" -o - --accel kvm --name lv-2 --port 9090:80 --boot odd \
    >"$out/lv2.xml" 2>"$out/stderr"
rc=$?
cat >"$out/lv2.expect.json" <<JSON
{"type": "kvm", "name": "lv-2", "cpu": "host-passthrough", "loader": null, "cmdline": null,
 "qemu_args": ["-machine", "kernel-irqchip=split", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-cpu", "max,rdrand=off",
               "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:9090-:80", "-device", "virtio-net-pci,netdev=net0"]}
JSON
if [ $rc = 0 ] && res=$(python3 "$ex/check.py" "$out/lv2.xml" "$out/lv2.expect.json" 2>&1); then
    ok "export/libvirt -o - --accel kvm --name --port --boot: type kvm, host CPU, the boot mode's -cpu to QEMU"
else
    bad "export/libvirt -o - --accel kvm --name --port --boot" "exit $rc: ${res:-} $(cat "$out/stderr")"
fi
validate "$out/lv2.xml" "the kvm variant validates too"

# export_err DESCRIPTION EXPECTED-FIRST-STDERR-LINE ARGS...: exit 2 and that line
export_err() {
    local what=$1 want=$2
    shift 2
    ANX_ROOT=$lvtree "$anx" export "$@" >"$out/stdout" 2>"$out/stderr" </dev/null
    local rc=$?
    if [ $rc = 2 ] && [ "$(grep -v '^  \|^built ' "$out/stderr" | head -n 1)" = "$want" ]; then
        ok "export: $what"
    else
        bad "export: $what" "exit $rc: $(cat "$out/stderr")"
    fi
}
export_err "an unknown target" "anx: error: export: unknown target 'libvrit' (libvirt) (did you mean 'libvirt'?); see 'anx export --help'" libvrit "$lvdir/lv.yaml"
export_err "a domain name libvirt cannot take" "anx: error: export: --name 'my lv': a domain name is 1-64 letters, digits, '-', '_' and '.'" libvirt "$lvdir/lv.yaml" --name 'my lv'
export_err "a control character XML cannot hold" "anx: error: export: 'bell$(printf '\a')' holds a control character, which XML cannot hold; remove it (from the manifest's cmdline:, a path or an option)" libvirt "$lvdir/ctl.yaml"
export_err "an unknown boot mode" "anx: error: platform 'fake-lv' has no boot mode 'uefi' (it has: direct, odd)" libvirt "$lvdir/lv.yaml" --boot uefi
if ANX_ROOT=$lvtree "$anx" export --help | grep -q '^  --console-log FILE ' && "$anx" --help | grep -q '^  export libvirt MANIFEST'; then
    ok "export: --help describes the options; anx --help lists export"
else
    bad "export: --help describes the options; anx --help lists export" "$("$anx" export --help 2>&1)"
fi
