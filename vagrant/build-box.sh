#!/usr/bin/env bash
# Builds a Debian 12 (bookworm) box for vagrant-libvirt from Debian packages only, and adds it to
# Vagrant as local/bookworm. No box is downloaded and no loop mount, bootloader or libguestfs is
# used: mmdebstrap makes the root file system, `mkfs.ext4 -d` puts it in a raw image, qemu-img
# compresses it to qcow2, and the box's own Vagrantfile boots the kernel and initrd it ships
# directly (vagrant-libvirt's kernel/initrd/cmd_line).
#
#   sudo vagrant/build-box.sh [--force]          # ~100 s the first time; instant when up to date
#
# Idempotent: the box file is rebuilt only when this script changes (or with --force), and added
# to Vagrant only when Vagrant does not have that very file. Environment:
#   BOX_CACHE  where the .box file is kept (default /var/cache/switch-agent/vagrant)
#   BOX_NAME   the Vagrant box name (default local/bookworm)
#   MIRROR     Debian mirror (default: the host's apt source, else http://deb.debian.org/debian)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
BOX_CACHE=${BOX_CACHE:-/var/cache/switch-agent/vagrant}
BOX_NAME=${BOX_NAME:-local/bookworm}
force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-box: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

[ "$(id -u)" = 0 ] || { echo "build-box: must run as root (mmdebstrap --mode=root, mkfs.ext4 -d keeps owners)" >&2; exit 1; }
for tool in mmdebstrap mkfs.ext4 qemu-img vagrant; do
  command -v "$tool" >/dev/null || { echo "build-box: $tool is missing (apt-get install mmdebstrap e2fsprogs qemu-utils vagrant vagrant-libvirt)" >&2; exit 1; }
done
pubkey=$(ls /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub /opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub 2>/dev/null | head -n1 || true)
[ -n "$pubkey" ] || { echo "build-box: Vagrant's insecure public key (keys/vagrant.pub) not found" >&2; exit 1; }

# The recipe's version: the box is rebuilt when this script or the box's Vagrantfile changes.
version=$(cat "$0" "$here/box.Vagrantfile" | sha256sum | cut -c1-12)
box="$BOX_CACHE/bookworm-$version.box"
mkdir -p "$BOX_CACHE"

if [ "$force" = 1 ] || [ ! -s "$box" ]; then
  if [ -z "${MIRROR:-}" ]; then
    MIRROR=$(grep -h -m1 -oE '^URIs: *\S+/debian$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 | awk '{print $2}' || true)
    MIRROR=${MIRROR:-http://deb.debian.org/debian}
  fi
  work=$(mktemp -d "$BOX_CACHE/build.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  root="$work/root"
  start=$SECONDS
  echo "build-box: debootstrapping bookworm from $MIRROR"
  # The customize hook makes it a Vagrant box: user vagrant with the insecure key and sudo,
  # DHCP on the first NIC, a fresh machine-id and SSH host keys per clone, virtio in the initrd.
  mmdebstrap --mode=root --variant=apt --quiet \
    --include=linux-image-cloud-amd64,initramfs-tools,systemd-sysv,udev,dbus,openssh-server,sudo,python3,python3-venv,rsync,iproute2,netbase,procps,ifupdown- \
    --customize-hook='chroot "$1" useradd -m -s /bin/bash -G sudo vagrant' \
    --customize-hook='echo vagrant:vagrant | chroot "$1" chpasswd' \
    --customize-hook='echo "vagrant ALL=(ALL) NOPASSWD: ALL" > "$1/etc/sudoers.d/vagrant"; chmod 0440 "$1/etc/sudoers.d/vagrant"' \
    --customize-hook="mkdir -p \"\$1/home/vagrant/.ssh\"; cp '$pubkey' \"\$1/home/vagrant/.ssh/authorized_keys\"" \
    --customize-hook='chmod 0700 "$1/home/vagrant/.ssh"; chmod 0600 "$1/home/vagrant/.ssh/authorized_keys"; chroot "$1" chown -R vagrant:vagrant /home/vagrant/.ssh' \
    --customize-hook='printf "[Match]\nName=en* eth*\n\n[Network]\nDHCP=ipv4\n" > "$1/etc/systemd/network/50-dhcp.network"' \
    --customize-hook='chroot "$1" systemctl enable systemd-networkd ssh' \
    --customize-hook='printf "LABEL=vroot / ext4 defaults 0 1\n" > "$1/etc/fstab"' \
    --customize-hook='echo bookworm > "$1/etc/hostname"' \
    --customize-hook='printf "UseDNS no\n" > "$1/etc/ssh/sshd_config.d/vagrant.conf"' \
    --customize-hook='printf "virtio_pci\nvirtio_blk\nvirtio_net\next4\n" >> "$1/etc/initramfs-tools/modules"' \
    --customize-hook='chroot "$1" update-initramfs -u -k all' \
    --customize-hook='rm -f "$1"/etc/ssh/ssh_host_*; : > "$1/etc/machine-id"; rm -f "$1/var/lib/dbus/machine-id"' \
    --customize-hook='mkdir -p "$1/etc/systemd/system/ssh.service.d"; printf "[Service]\nExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n" > "$1/etc/systemd/system/ssh.service.d/hostkeys.conf"' \
    --customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*' \
    bookworm "$root" "$MIRROR"

  mkdir "$work/box"
  cp "$root"/boot/vmlinuz-* "$work/box/vmlinuz"
  cp "$root"/boot/initrd.img-* "$work/box/initrd.img"
  truncate -s 4G "$work/disk.raw"
  mkfs.ext4 -q -L vroot -d "$root" "$work/disk.raw"
  qemu-img convert -c -O qcow2 "$work/disk.raw" "$work/box/box.img"
  printf '{"provider": "libvirt", "format": "qcow2", "virtual_size": 4}\n' > "$work/box/metadata.json"
  cp "$here/box.Vagrantfile" "$work/box/Vagrantfile"
  tar -C "$work/box" -cf "$work/out.box" metadata.json Vagrantfile box.img vmlinuz initrd.img
  rm -f "$BOX_CACHE"/bookworm-*.box
  mv "$work/out.box" "$box"
  echo "build-box: $box ($(du -m "$box" | cut -f1) MB) built in $((SECONDS - start)) s"
fi

# Add it to Vagrant unless Vagrant already has this very file (a stamp beside Vagrant's copy).
vagrant_home=${VAGRANT_HOME:-$HOME/.vagrant.d}
stamp="$vagrant_home/boxes/${BOX_NAME//\//-VAGRANTSLASH-}/switch-agent-box"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$(basename "$box")" ]; then
  vagrant box add --force --name "$BOX_NAME" "$box" >/dev/null
  echo "$(basename "$box")" > "$stamp"
  echo "build-box: added to Vagrant as $BOX_NAME"
else
  echo "build-box: $BOX_NAME is up to date ($box)"
fi
