#!/bin/sh
# Starts a second libvirtd on this machine, for the migration ITs: its own mount namespace
# (own /etc/libvirt, /run/libvirt, /var/lib/libvirt/qemu, /var/cache/libvirt), its own host UUID,
# its socket at $BASE/sock/libvirt-sock, and pool "virtsaga" on the same directory as the system
# daemon (shared storage). Root only. Idempotent: does nothing when the daemon already answers.
#
#   providers/libvirt/src/test/scripts/second-libvirtd.sh [start|stop]
#   URI: qemu+unix:///system?socket=/run/virtsaga-libvirtd2/sock/libvirt-sock
set -eu
BASE=${VIRTSAGA_LIBVIRTD2:-/run/virtsaga-libvirtd2}
URI="qemu+unix:///system?socket=$BASE/sock/libvirt-sock"
POOL_PATH=${VIRTSAGA_POOL_PATH:-/var/lib/libvirt/images/virtsaga}

if [ "${1:-start}" = stop ]; then
  [ -f "$BASE/libvirtd.pid" ] && kill "$(cat "$BASE/libvirtd.pid")" 2>/dev/null || true
  exit 0
fi
if virsh -c "$URI" uri >/dev/null 2>&1; then
  exit 0
fi
rm -rf "$BASE"
mkdir -p "$BASE/etc" "$BASE/run" "$BASE/lib" "$BASE/cache" "$BASE/sock" /var/cache/libvirt "$POOL_PATH"
cp -a /etc/libvirt/. "$BASE/etc/"
# nothing autostarts there: no networks (virbr0 belongs to the first daemon), no pools
rm -rf "$BASE/etc/qemu/networks/autostart" "$BASE/etc/storage/autostart" "$BASE"/etc/storage/*.xml "$BASE"/etc/qemu/*.xml
cat >> "$BASE/etc/libvirtd.conf" <<CONF
host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
unix_sock_dir = "$BASE/sock"
listen_tls = 0
listen_tcp = 0
CONF
echo 'stdio_handler = "file"' >> "$BASE/etc/qemu.conf"   # no virtlogd in the namespace
cat > "$BASE/start" <<START
#!/bin/sh
set -e
mount --make-rprivate /
mount --bind $BASE/etc /etc/libvirt
mount --bind $BASE/run /run/libvirt
mount --bind $BASE/lib /var/lib/libvirt/qemu
mount --bind $BASE/cache /var/cache/libvirt
exec libvirtd -d -p $BASE/libvirtd.pid
START
chmod +x "$BASE/start"
unshare --mount "$BASE/start"
for _ in $(seq 1 50); do
  virsh -c "$URI" uri >/dev/null 2>&1 && break
  sleep 0.2
done
virsh -c "$URI" pool-define-as virtsaga dir --target "$POOL_PATH" >/dev/null
virsh -c "$URI" pool-start virtsaga >/dev/null
echo "$URI"
