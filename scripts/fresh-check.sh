#!/usr/bin/env bash
# `make fresh-check`: proves that the README's fresh-machine commands work on a
# fresh Debian 12 machine, in a folder with nothing beside it.
#
#   1. a minimal Debian 12 root (debootstrap --variant=minbase: apt, dpkg, bash,
#      coreutils; no gcc, make, git, sudo, curl or python3), built once and kept
#      as a pristine tarball; every run unpacks a new copy of it
#   2. a `git clone` of this repository's HEAD at /root/anunix in that root (what
#      a new user and CI see: uncommitted changes are left out unless --worktree)
#   3. the commands of the README's fresh-machine block, verbatim, as root in a
#      chroot, in private mount, PID and network namespaces (its own loopback, so
#      the ports its tests forward never meet the host's; slirp4netns NATs it out)
#   4. a verdict: `make demo` printed a completion; `make test` ended with
#      "total: N passed, 0 failed, N skipped", each skip naming ../shared
#
# Everything mounted for the root lives in the private mount namespace, so it
# goes away with the namespace on every exit path (error, Ctrl-C, kill); the
# copy of the root is then deleted unless --keep.
#
# Cache (${XDG_CACHE_HOME:-$HOME/.cache}/anunix/fresh-check): debs/ (debootstrap's
# downloads), apt-archives/ (bind-mounted over the root's /var/cache/apt/archives,
# so what setup.sh installs inside is downloaded once), base-*.tar (the pristine
# root). Logs: build/fresh-check/ (one NAME.log per command, test-logs/, demo/).
# The mirror comes from the host's own apt sources at run time.
set -euo pipefail
# One block, read whole before it runs: editing this file during a run cannot change that run.
{
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
suite=bookworm   # Debian 12, the release the README promises
base_max_age_days=30

usage() {
  cat <<EOF
usage: scripts/fresh-check.sh [--only demo|test] [--keep] [--worktree | --with PATH...] [--rebuild-base] [--host-net]

Runs the README's fresh-machine commands verbatim in a new minimal Debian 12
root holding only a git clone of HEAD (~/.cache/anunix/fresh-check caches the
downloads and the pristine root; logs go to build/fresh-check/).

  --only demo|test  run the README's preparation lines and only that command
  --keep            keep the root afterwards (its path is printed)
  --worktree        include uncommitted changes and untracked files (not ignored ones)
  --with PATH       include this file of the working tree as it is now (repeatable): your
                    change alone, when others have work in progress in the same tree
  --rebuild-base    build the pristine root again (else rebuilt when ${base_max_age_days} days old)
  --host-net        share the host's network namespace (when slirp4netns cannot run)
EOF
}

args=("$@")
only="" keep=0 worktree=0 rebuild_base=0 host_net=0 with=()
while [ $# -gt 0 ]; do
  case $1 in
    --only)
      [ $# -ge 2 ] && { [ "$2" = demo ] || [ "$2" = test ]; } || {
        echo "fresh-check: --only takes 'demo' or 'test'" >&2; exit 2; }
      only=$2; shift ;;
    --keep) keep=1 ;;
    --worktree) worktree=1 ;;
    --with)
      [ $# -ge 2 ] || { echo "fresh-check: --with takes a path in the repository" >&2; exit 2; }
      with+=("$2"); shift ;;
    --rebuild-base) rebuild_base=1 ;;
    --host-net) host_net=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "fresh-check: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

[ $worktree -eq 1 ] && [ ${#with[@]} -gt 0 ] && { echo "fresh-check: --worktree already includes every change; drop --with" >&2; exit 2; }

# The root, chroot and namespaces need root; ask sudo once instead of per step.
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "fresh-check: must run as root (no sudo found)" >&2; exit 1; }
  exec sudo -- "$0" "${args[@]}"
fi

cache=${XDG_CACHE_HOME:-$HOME/.cache}/anunix/fresh-check
logdir=$repo/build/fresh-check
arch=$(dpkg --print-architecture)
base_tar=$cache/base-$suite-$arch-minbase.tar
mkdir -p "$cache/debs" "$cache/apt-archives/partial" "$logdir"

say() { echo "fresh-check: $*"; }
die() { echo "fresh-check: $*" >&2; exit 1; }
# 75 -> 1m15s
dur() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# One run at a time per cache: runs share the apt archive (apt locks it) and build/fresh-check.
exec 9>"$cache/lock"
if ! flock -n 9; then
  say "another fresh-check holds $cache/lock; waiting for it"
  flock 9
fi

rm -rf "$logdir"/*.log "$logdir/status" "$logdir/test-logs" "$logdir/demo"
"$here/setup.sh" --fresh-check | sed 's/^/  /'

# --- the mirror, from the host's own apt sources --------------------------------
# Prints "main URI" and "security URI" lines: the first deb source of a plain
# suite, and the first of a *-security suite.
host_mirrors() {
  local d822=/etc/apt/sources.list.d/debian.sources
  if [ -f "$d822" ]; then
    awk '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uri = ""; suites = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^#/) continue
          if ($i ~ /^Types:/) types = $i
          if ($i ~ /^URIs:/) { split($i, w, /[ \t]+/); uri = w[2] }
          if ($i ~ /^Suites:/) suites = $i
        }
        if (types !~ /(:|[ \t])deb([ \t]|$)/ || uri == "") next
        if (suites ~ /-security/) { if (!sec) { print "security " uri; sec = 1 } }
        else if (!main) { print "main " uri; main = 1 }
      }' "$d822"
  elif [ -f /etc/apt/sources.list ]; then
    # deb [options] URI SUITE COMPONENT...
    sed -E -n 's/^deb[ \t]+(\[[^]]*\][ \t]+)?([^ \t]+)[ \t]+([^ \t]+).*/\2 \3/p' /etc/apt/sources.list |
      awk '$2 ~ /-security/ { if (!sec) { print "security " $1; sec = 1 }; next }
           { if (!main) { print "main " $1; main = 1 } }'
  fi
}
mirrors=$(host_mirrors)
mirror=$(echo "$mirrors" | awk '$1 == "main" { print $2 }')
security=$(echo "$mirrors" | awk '$1 == "security" { print $2 }')
[ -n "$mirror" ] || die "no 'deb' source in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list to build the root from"

# --- the pristine root --------------------------------------------------------
base_fresh() {
  [ $rebuild_base -eq 0 ] && [ -f "$base_tar" ] && [ -f "$base_tar.info" ] || return 1
  grep -qx "mirror $mirror" "$base_tar.info" || { say "the apt mirror changed: rebuilding the base root"; return 1; }
  [ -z "$(find "$base_tar" -mtime +$base_max_age_days)" ] || { say "the base root is over $base_max_age_days days old: rebuilding it"; return 1; }
}

# The apt sources of a fresh Debian 12 install (deb822), on the host's mirrors.
write_sources() {
  local etc=$1/etc/apt
  rm -f "$etc/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" "$suite" "$suite"
    if [ -n "$security" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$security" "$suite"
    fi
  } >"$etc/sources.list.d/debian.sources"
}

build_base() {
  local tmp start=$SECONDS
  tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/anunix-fresh-base.XXXXXX")
  cleanup_dirs+=("$tmp")
  chmod 755 "$tmp"   # the root's /: apt's _apt user must get through it
  say "building the base root: debootstrap --variant=minbase $suite $mirror (log: build/fresh-check/base.log)"
  # in its own mount namespace: the /proc and /sys debootstrap mounts die with it
  if ! unshare --mount --propagation private --fork --kill-child \
      debootstrap --variant=minbase --arch="$arch" --cache-dir="$cache/debs" \
      "$suite" "$tmp" "$mirror" >"$logdir/base.log" 2>&1; then
    tail -n 20 "$logdir/base.log" >&2
    die "debootstrap failed (log: build/fresh-check/base.log)"
  fi
  write_sources "$tmp"
  # a fresh image: no package lists, no downloaded packages, no debootstrap leftovers
  rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/cache/apt/*.bin
  mkdir -p "$tmp/var/lib/apt/lists/partial"
  tar --numeric-owner --xattrs -C "$tmp" -cf "$base_tar.part" .
  mv "$base_tar.part" "$base_tar"
  printf 'mirror %s\nsecurity %s\nbuilt %s\ndebootstrap %s\n' "$mirror" "$security" "$(date -u +%FT%TZ)" \
    "$(dpkg-query -W -f='${Version}' debootstrap)" >"$base_tar.info"
  rm -rf "$tmp"
  say "base root ready in $(dur $((SECONDS - start))) ($(du -h "$base_tar" | cut -f1) in $base_tar)"
}

# --- cleanup on every exit path -----------------------------------------------
root="" ns_pid="" slirp_pid="" cleanup_dirs=()
# The processes whose root is the copy (all ours: started by this run).
procs_in_root() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
  done
  return 0
}
mounted_under() { grep -qF -e " $1/" -e " $1 " /proc/self/mountinfo; }
cleanup() {
  local rc=$? left
  trap - EXIT INT TERM HUP
  if [ -n "$ns_pid" ] && kill -0 "$ns_pid" 2>/dev/null; then
    # unshare ignores INT and TERM while it waits; KILL it and --kill-child
    # takes its child (PID 1 of the namespace, and with it everything inside)
    kill -KILL "$ns_pid" 2>/dev/null || true
    wait "$ns_pid" 2>/dev/null || true
  fi
  [ -n "$slirp_pid" ] && { kill "$slirp_pid" 2>/dev/null || true; wait "$slirp_pid" 2>/dev/null || true; }
  if [ -n "$root" ] && [ -d "$root" ]; then
    for _ in $(seq 50); do [ -z "$(procs_in_root)" ] && break; sleep 0.2; done
    for left in $(procs_in_root); do kill -KILL "$left" 2>/dev/null || true; done
    # Mounts live in the namespace and cannot be here; never delete through one that is.
    if mounted_under "$root"; then
      echo "fresh-check: mounts remain under $root (not deleted; umount -R them, then rm -rf it):" >&2
      grep -F -e " $root/" -e " $root " /proc/self/mountinfo | awk '{print "  " $5}' >&2
    elif [ $keep -eq 1 ]; then
      say "kept the root: $root (enter it with: chroot $root bash)"
    else
      rm -rf "$root"
    fi
  fi
  local d
  for d in "${cleanup_dirs[@]}"; do
    mounted_under "$d" || rm -rf "$d"
  done
  exit $rc
}
trap cleanup EXIT
trap 'echo; say "interrupted"; exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if base_fresh; then
  say "base root: $base_tar ($(grep '^built' "$base_tar.info" | cut -d' ' -f2))"
else
  build_base
fi

# --- a fresh copy of it, with a clone of HEAD ---------------------------------
root=$(mktemp -d "${TMPDIR:-/var/tmp}/anunix-fresh-check.XXXXXX")
chmod 755 "$root"
tar --numeric-owner --xattrs -C "$root" -xpf "$base_tar"
head=$(git -C "$repo" rev-parse --short HEAD)
git clone -q --no-hardlinks "$repo" "$root/root/anunix"
dirty=$(git -C "$repo" --no-optional-locks status --porcelain)
what="HEAD $head"
for f in "${with[@]}"; do
  rel=$(realpath -m --relative-to="$repo" "$f")   # (this script never changes folder)
  case $rel in ..|../*|.) die "--with $f: not a file in $repo" ;; esac
  if [ -e "$repo/$rel" ]; then
    mkdir -p "$(dirname "$root/root/anunix/$rel")"
    cp -a "$repo/$rel" "$root/root/anunix/$rel"
  elif git -C "$repo" cat-file -e "HEAD:$rel" 2>/dev/null; then
    rm -rf "$root/root/anunix/$rel"   # deleted in the working tree
  else
    die "--with $f: no such file in $repo or its HEAD"
  fi
  dirty=$(echo "$dirty" | awk -v p="$rel" 'substr($0, 4) != p')
done
[ ${#with[@]} -gt 0 ] && what="HEAD $head + the working tree's ${with[*]} (--with)"
if [ -n "$dirty" ]; then
  if [ $worktree -eq 1 ]; then
    # tracked changes as a patch, untracked files as they are; the caller's git state is untouched
    git -C "$repo" --no-optional-locks diff --binary HEAD >"$root/worktree.patch"
    [ -s "$root/worktree.patch" ] && git -C "$root/root/anunix" apply --binary "$root/worktree.patch"
    rm -f "$root/worktree.patch"
    git -C "$repo" ls-files -z --others --exclude-standard |
      tar -C "$repo" --null -T - -cf - | tar -C "$root/root/anunix" -xf -
    what="HEAD $head + the working tree's $(echo "$dirty" | wc -l) uncommitted changes (--worktree)"
  else
    say "NOTE: $(echo "$dirty" | wc -l) uncommitted changes in $repo are NOT included ($what is checked; --worktree includes them):"
    echo "$dirty" | head -n 10 | sed 's/^/    /'
  fi
fi

# --- the README's fresh-machine commands --------------------------------------
# The first ```sh block after "On a fresh Debian 12 machine", read from the
# clone: one command a line, comments dropped.
readme=$root/root/anunix/README.md
mapfile -t commands < <(awk '
  /^On a fresh Debian 12 machine/ { seen = 1; next }
  seen && !inblock && /^```sh/ { inblock = 1; next }
  inblock && /^```/ { exit }
  inblock { sub(/(^|[ \t]+)#.*$/, ""); sub(/^[ \t]+/, ""); sub(/[ \t]+$/, ""); if ($0 != "") print }
' "$readme")
step_name() {
  case $1 in
    "make demo") echo demo ;;
    "make test") echo test ;;
    *) local w=${1%% *}; w=${w##*/}; echo "${w%.sh}" ;;
  esac
}
printf '%s\n' "${commands[@]}" | grep -qx 'make demo' || die "README.md: no 'make demo' line in the block after 'On a fresh Debian 12 machine'"
printf '%s\n' "${commands[@]}" | grep -qx 'make test' || die "README.md: no 'make test' line in the block after 'On a fresh Debian 12 machine'"
steps=()
for c in "${commands[@]}"; do
  n=$(step_name "$c")
  case $n in demo|test) [ -n "$only" ] && [ "$n" != "$only" ] && continue ;; esac
  steps+=("$c")
done

say "checking $what in a fresh Debian 12 minbase root: /root/anunix, nothing beside it"
say "commands (README.md, verbatim): $(printf '%s; ' "${steps[@]}" | sed 's/; $//')"

# --- inside the namespaces ----------------------------------------------------
# Runs as PID 1 of new mount, PID (and network) namespaces: mounts what a booted
# machine has, then each command in the chroot, logging NAME.log and a status line.
inside() {
  set -euo pipefail
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys" 2>/dev/null || mount --rbind /sys "$root/sys"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
  mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$root/run"
  mkdir -p -m 1777 "$root/run/lock"
  mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
  if [ "$host_net" -eq 0 ]; then
    for _ in $(seq 100); do [ -s "$net_ready" ] && break; sleep 0.1; done
    [ -s "$net_ready" ] || { echo "fresh-check: the root's network did not come up (build/fresh-check/slirp4netns.log)" >&2; exit 1; }
  fi
  # the host's resolver; a loopback one (systemd-resolved) is not reachable from
  # the namespace, so slirp4netns's DNS forwarder stands in for it
  if [ "$host_net" -eq 0 ] && grep -qE '^nameserver[ \t]+(127\.|::1)' /etc/resolv.conf; then
    echo "nameserver 10.0.2.3" >"$root/etc/resolv.conf"
  else
    cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  fi
  local c n start rc
  for c in "${steps[@]}"; do
    n=$(step_name "$c")
    echo
    echo "fresh-check: ## $c"
    start=$SECONDS
    set +e
    # a root login's environment, nothing from the caller's
    chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
      TERM="${TERM:-dumb}" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      /bin/bash -c "cd /root/anunix && $c" </dev/null 2>&1 | tee "$logdir/$n.log"
    rc=${PIPESTATUS[0]}
    set -e
    echo "$n $rc $((SECONDS - start)) $c" >>"$logdir/status"
  done
}
net_ready=$(mktemp "${TMPDIR:-/var/tmp}/anunix-fresh-net.XXXXXX")
cleanup_dirs+=("$net_ready")
fc_steps=$(printf '%s\n' "${steps[@]}")
export root cache logdir host_net net_ready fc_steps
export -f inside step_name
ns_opts=(--mount --pid --fork --kill-child --propagation private)
[ $host_net -eq 0 ] && ns_opts+=(--net)
start_all=$SECONDS
unshare "${ns_opts[@]}" bash -c 'mapfile -t steps <<<"$fc_steps"; inside' &
ns_pid=$!
if [ $host_net -eq 0 ]; then
  # wait until unshare has its own network namespace, then give it a NAT'ed tap0
  for _ in $(seq 100); do
    [ "$(readlink /proc/$ns_pid/ns/net 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] && break
    sleep 0.05
  done
  slirp4netns --configure --mtu=65520 --disable-host-loopback --ready-fd=3 "$ns_pid" tap0 \
    3>"$net_ready" >"$logdir/slirp4netns.log" 2>&1 &
  slirp_pid=$!
fi
set +e
wait "$ns_pid"
ns_rc=$?
set -e
ns_pid=""
total=$((SECONDS - start_all))

# keep what the tests left for a look after the root is gone
[ -d "$root/root/anunix/build/test-logs" ] && cp -r "$root/root/anunix/build/test-logs" "$logdir/test-logs"
[ -d "$root/root/anunix/build/demo" ] && cp -r "$root/root/anunix/build/demo" "$logdir/demo"

# --- verdict -------------------------------------------------------------------
echo
echo "=== fresh-check: $what, Debian 12 minbase, as root, no ../shared"
ok=1
declare -A ran=()
while read -r n rc secs c; do
  ran[$n]=1
  verdict=ok
  [ "$rc" -eq 0 ] || verdict="FAIL (exit $rc)"
  case $n in
    demo)
      completion=$(grep -m1 '^completion: ' "$logdir/demo.log" || true)
      if [ -z "$completion" ] && [ "$rc" -eq 0 ]; then verdict="FAIL (no completion printed)"; fi ;;
    test)
      totline=$(grep '^total: ' "$logdir/test.log" | tail -n 1 || true)
      skipcount=$(echo "$totline" | sed -nE 's/^total: [0-9]+ passed, 0 failed, ([0-9]+) skipped$/\1/p')
      skiplines=$(grep -E '^skip  ' "$logdir/test.log" || true)
      notshared=$(echo "$skiplines" | grep -v 'shared' || true)
      if [ "$rc" -ne 0 ]; then :
      elif [ -z "$skipcount" ]; then verdict="FAIL (last line is not 'total: N passed, 0 failed, N skipped')"
      elif [ "$skipcount" -ne "$(echo -n "$skiplines" | grep -c '^skip' || true)" ]; then
        verdict="FAIL ($skipcount skipped but $(echo -n "$skiplines" | grep -c '^skip' || true) skip lines)"
      elif [ -n "$notshared" ]; then verdict="FAIL (a skip that does not say it needs ../shared)"
      fi ;;
  esac
  [ "$verdict" = ok ] || ok=0
  printf '  %-20s %-8s %s   build/fresh-check/%s.log\n' "$c" "$(dur "$secs")" "$verdict" "$n"
  case $n in
    demo) if [ -n "$completion" ]; then echo "      $completion"; fi ;;
    test)
      if [ -n "$totline" ]; then echo "      $totline"; fi
      if [ -n "$skiplines" ]; then echo "$skiplines" | sed 's/^/      /'; fi
      if [ -n "$notshared" ]; then
        echo "      skips whose reason does not name ../shared (each must say what is missing):"
        echo "$notshared" | sed 's/^/        /'
      fi
      grep -E '^(FAIL|not ok)' "$logdir/test.log" | head -n 40 | sed 's/^/      /' || true ;;
  esac
  [ "$verdict" = ok ] || [ "$n" = test ] || tail -n 15 "$logdir/$n.log" | sed 's/^/      | /'
done < <(cat "$logdir/status" 2>/dev/null)
for c in "${steps[@]}"; do
  n=$(step_name "$c")
  [ -n "${ran[$n]:-}" ] || { ok=0; printf '  %-20s not run\n' "$c"; }
done
[ "$ns_rc" -eq 0 ] || { ok=0; echo "  the namespace exited with status $ns_rc"; }
echo "  total wall time $(dur $total); logs in build/fresh-check/"
if [ $ok -eq 1 ]; then
  echo "fresh-check: PASS"
else
  echo "fresh-check: FAIL"
  exit 1
fi
exit
}
