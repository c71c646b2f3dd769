#!/bin/sh
# Builds the busybox test image (busybox-static plus applet links) as an image archive, without
# network and reproducibly (same bytes on every run for the same busybox binary).
#
#   scripts/build-test-image.sh OUT.tar [--format docker|oci] [--ref NAME:TAG] [--busybox PATH]
#
# docker: a `docker save` archive (manifest.json, <config>.json, <layer>/layer.tar).
# oci:    an OCI image layout archive (oci-layout, index.json, blobs/sha256/...).
# The image: Entrypoint unset, Cmd ["sh"], Env PATH=..., WorkingDir /, user root; /bin/sh,
# httpd, wget, nslookup, sleep, cat, echo, ... link to /bin/busybox; /etc/passwd, /etc/group,
# /tmp (1777), /var/www/index.html ("hello from keelson").
set -eu

out=""
format=docker
ref="keelson.dev/busybox:test"
busybox=/bin/busybox
while [ $# -gt 0 ]; do
  case "$1" in
    --format) format="$2"; shift 2 ;;
    --ref) ref="$2"; shift 2 ;;
    --busybox) busybox="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "build-test-image: unknown flag $1" >&2; exit 2 ;;
    *) out="$1"; shift ;;
  esac
done
[ -n "$out" ] || { echo "usage: build-test-image.sh OUT.tar [--format docker|oci] [--ref NAME:TAG]" >&2; exit 2; }
case "$format" in docker|oci) ;; *) echo "build-test-image: --format must be docker or oci" >&2; exit 2 ;; esac
[ -x "$busybox" ] || { echo "build-test-image: $busybox not found (apt-get install busybox-static)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/keelson-image.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
root="$work/rootfs"
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/var/www" "$root/proc" "$root/sys" "$root/dev" \
  "$root/root" "$root/home"
cp "$busybox" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"
for applet in sh ash ls cat echo sleep httpd wget nslookup env id ps kill mkdir rm cp mv touch \
  head tail grep sed awk hostname ping printf true false test dd seq wc sort uniq date nc \
  ip ifconfig mount umount df du chmod chown ln find xargs tr cut stat tee yes top free \
  uname whoami dmesg sync timeout nohup vi less more basename dirname readlink realpath; do
  ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' \
  >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'hello from keelson\n' >"$root/var/www/index.html"
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"

layer="$work/layer.tar"
(cd "$root" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
  --format=gnu -cf "$layer" .)
layer_sha=$(sha256sum "$layer" | cut -d' ' -f1)
layer_size=$(stat -c %s "$layer")

config="$work/config.json"
printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",' >"$config"
printf '"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],' >>"$config"
printf '"Cmd":["sh"],"WorkingDir":"/"},' >>"$config"
printf '"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},' "$layer_sha" >>"$config"
printf '"history":[{"created":"1970-01-01T00:00:00Z","created_by":"scripts/build-test-image.sh"}]}' >>"$config"
config_sha=$(sha256sum "$config" | cut -d' ' -f1)
config_size=$(stat -c %s "$config")

pkg="$work/pkg"
mkdir -p "$pkg"
if [ "$format" = docker ]; then
  mkdir -p "$pkg/$layer_sha"
  cp "$layer" "$pkg/$layer_sha/layer.tar"
  cp "$config" "$pkg/$config_sha.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
    "$config_sha" "$ref" "$layer_sha" >"$pkg/manifest.json"
else
  mkdir -p "$pkg/blobs/sha256"
  cp "$layer" "$pkg/blobs/sha256/$layer_sha"
  cp "$config" "$pkg/blobs/sha256/$config_sha"
  manifest="$work/manifest.json"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",' >"$manifest"
  printf '"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},' \
    "$config_sha" "$config_size" >>"$manifest"
  printf '"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$layer_sha" "$layer_size" >>"$manifest"
  manifest_sha=$(sha256sum "$manifest" | cut -d' ' -f1)
  manifest_size=$(stat -c %s "$manifest")
  cp "$manifest" "$pkg/blobs/sha256/$manifest_sha"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$pkg/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",' >"$pkg/index.json"
  printf '"digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest_sha" "$manifest_size" "$ref" >>"$pkg/index.json"
fi
(cd "$pkg" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
  --format=gnu -cf "$work/out.tar" .)
mv "$work/out.tar" "$out"
echo "$out"
