#!/usr/bin/env bash
# Runs a Vagrant/libvirt lab inside a network namespace of its own, so the libvirt bridge,
# dnsmasq, the VMs' addresses and Vagrant's forwarded ports exist only in there: for machines
# where nothing may leave, and for the tests. libvirtd and virtlogd are started here, inside the
# namespace, and stopped by the PIDs they wrote; a libvirtd this script did not start is never
# touched (it refuses to start beside one).
#
#   sudo vagrant/netns.sh up   [NAME]            # namespace + virtlogd + libvirtd (~2 s)
#   sudo vagrant/netns.sh exec NAME CMD...       # e.g. exec swlab vagrant up
#   sudo vagrant/netns.sh down [NAME]            # libvirt objects, daemons, leftovers, namespace
#   sudo vagrant/netns.sh run  NAME CMD...       # up, CMD, down (down also on failure)
#
# NAME defaults to swlab. libvirt's configuration inside the namespace is a copy of /etc/libvirt
# at /etc/netns/NAME/libvirt (`ip netns exec` mounts it over /etc/libvirt), where QEMU runs as
# root: /dev/kvm is 0600 root on these machines, and libvirt would otherwise re-probe QEMU on
# every call. The host's /etc is not changed.
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
action=$1; shift
name=${1:-swlab}; [ $# -gt 0 ] && shift
case "$name" in *[!A-Za-z0-9_-]*|'') echo "netns: bad namespace name '$name'" >&2; exit 2 ;; esac
state=/run/switch-agent-netns/$name
etc=/etc/netns/$name

[ "$(id -u)" = 0 ] || { echo "netns: must run as root" >&2; exit 1; }

# The PID in a pid file of ours if that process is alive and is the named program.
our_pid() {
  local file=$state/$1.pid pid
  [ -s "$file" ] || return 1
  pid=$(cat "$file")
  [ -d "/proc/$pid" ] && [ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = "$1" ] && echo "$pid"
}

stop_pid() {  # PID NAME: TERM, wait up to 20 s, then KILL
  local pid=$1 _
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do [ -d "/proc/$pid" ] || return 0; sleep 0.2; done
  echo "netns: $2 ($pid) did not stop on TERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

in_ns() { ip netns exec "$name" "$@"; }

up() {
  for tool in libvirtd virtlogd virsh ip; do
    command -v "$tool" >/dev/null || { echo "netns: $tool is missing (apt-get install libvirt-daemon-system libvirt-clients iproute2)" >&2; exit 1; }
  done
  mkdir -p "$state"
  if pid=$(our_pid libvirtd); then echo "netns: $name is up (libvirtd $pid)"; return 0; fi
  # One system libvirtd per machine: its sockets live in /run/libvirt, which namespaces share.
  local foreign
  foreign=$(pgrep -x libvirtd || true)
  if [ -n "$foreign" ]; then
    echo "netns: a libvirtd this script did not start is running (PID $foreign): not starting a second one" >&2
    exit 1
  fi
  # What /run/libvirt/network held before: down removes what this libvirtd added (dnsmasq pid
  # files and folders of networks, which libvirt leaves behind even when Vagrant destroyed them).
  ls -A /run/libvirt/network 2>/dev/null > "$state/network-before" || true
  ip netns list | grep -qw "^$name" || ip netns add "$name"
  ip -n "$name" link set lo up
  rm -rf "$etc/libvirt"
  mkdir -p "$etc"
  cp -a /etc/libvirt "$etc/libvirt"
  printf '\n# switch-agent netns.sh\nuser = "root"\ngroup = "root"\n' >> "$etc/libvirt/qemu.conf"
  printf '\n# switch-agent netns.sh\nlog_outputs = "3:file:%s/libvirtd.log"\n' "$state" >> "$etc/libvirt/libvirtd.conf"
  printf '\n# switch-agent netns.sh\nlog_outputs = "3:file:%s/virtlogd.log"\n' "$state" >> "$etc/libvirt/virtlogd.conf"
  # The host's default network (NAT to the outside) is not wanted in here.
  rm -f "$etc/libvirt/qemu/networks/autostart/"*.xml
  if ! our_pid virtlogd >/dev/null; then
    in_ns virtlogd -d -p "$state/virtlogd.pid"
  fi
  in_ns libvirtd -d -p "$state/libvirtd.pid"
  local _
  for _ in $(seq 1 100); do
    if in_ns virsh -q -c qemu:///system version >/dev/null 2>&1; then
      echo "netns: $name is up (libvirtd $(cat "$state/libvirtd.pid"), virtlogd $(cat "$state/virtlogd.pid"))"
      return 0
    fi
    sleep 0.2
  done
  echo "netns: libvirtd did not answer within 20 s; its log:" >&2
  tail -n 20 "$state/libvirtd.log" >&2 2>/dev/null || true
  down
  exit 1
}

down() {
  local pid kind item
  if pid=$(our_pid libvirtd); then
    # Leave nothing behind in /run/libvirt: every object in this libvirtd is the lab's.
    for item in $(in_ns virsh -q -c qemu:///system list --all --name 2>/dev/null); do
      in_ns virsh -q -c qemu:///system destroy "$item" >/dev/null 2>&1 || true
      in_ns virsh -q -c qemu:///system undefine --nvram "$item" >/dev/null 2>&1 ||
        in_ns virsh -q -c qemu:///system undefine "$item" >/dev/null 2>&1 || true
    done
    for kind in net pool; do
      for item in $(in_ns virsh -q -c qemu:///system "$kind-list" --all --name 2>/dev/null); do
        in_ns virsh -q -c qemu:///system "$kind-destroy" "$item" >/dev/null 2>&1 || true
        in_ns virsh -q -c qemu:///system "$kind-undefine" "$item" >/dev/null 2>&1 || true
      done
    done
    stop_pid "$pid" libvirtd
  fi
  if [ -f "$state/network-before" ]; then
    for item in $(ls -A /run/libvirt/network 2>/dev/null); do
      grep -qxF -- "$item" "$state/network-before" || rm -rf -- "/run/libvirt/network/$item"
    done
    rm -f "$state/network-before"
  fi
  if pid=$(our_pid virtlogd); then stop_pid "$pid" virtlogd; fi
  rm -f "$state/libvirtd.pid" "$state/virtlogd.pid"
  if ip netns list | grep -qw "^$name"; then
    # Whatever still runs in the namespace was started in it by us (dnsmasq, QEMU, Vagrant's
    # forwarded-port tunnels): stop it by PID.
    for pid in $(ip netns pids "$name"); do stop_pid "$pid" "$(cat "/proc/$pid/comm" 2>/dev/null || echo process)"; done
    ip netns del "$name"
  fi
  rm -rf "$etc" "$state"
  echo "netns: $name is down"
}

case "$action" in
  up) up ;;
  down) down ;;
  exec) [ $# -ge 1 ] || usage; ip netns list | grep -qw "^$name" || { echo "netns: $name is not up" >&2; exit 1; }; exec ip netns exec "$name" "$@" ;;
  run)
    [ $# -ge 1 ] || usage
    up
    set +e
    ip netns exec "$name" "$@"; rc=$?
    down
    exit "$rc" ;;
  *) usage ;;
esac
