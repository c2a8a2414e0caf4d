"""``tuitrain serve`` on the command line, with a stand-in for the web server: the command each tab runs,
the token and URL it prints, the warning for a host beyond this machine, errors before serving."""

from __future__ import annotations

import shlex
import sys
from urllib.parse import parse_qs, urlsplit

import pytest

from tuitrain.cli.main import main
from tuitrain.cli.serve_command import is_loopback, url_for
from tuitrain.preset import find_preset


class FakeServer:
    """Records what the CLI hands the server, and 'listens' on the port asked for (43210 for 0: any free port)."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def __call__(self, command: str, **options) -> int:
        self.calls.append({"command": command, **options})
        options["on_ready"](options["port"] or 43210)
        return 0


def serve(capsys, *argv: str) -> tuple[int, str, str, FakeServer]:
    server = FakeServer()
    code = main(["serve", *argv], serve_app=server)
    out, err = capsys.readouterr()
    return code, out, err, server


def test_each_tab_runs_this_python_on_the_same_arguments_quoted(capsys, tmp_path):
    preset = tmp_path / "my presets" / "it's $(touch pwned).toml"
    preset.parent.mkdir()
    preset.write_text(find_preset("spiral_mlp").read_text())
    code, _, _, server = serve(capsys, str(preset), "--set", "fit.epochs=3", "--set", 'name="a b"',
                               "--runs-dir", str(tmp_path / "r s"))
    assert code == 0
    words = shlex.split(server.calls[0]["command"])
    assert words == ["exec", sys.executable, "-m", "tuitrain", str(preset), "--set", "fit.epochs=3",
                     "--set", 'name="a b"', "--runs-dir", str(tmp_path / "r s")]
    assert not (tmp_path / "pwned").exists()


def test_it_listens_on_loopback_port_8000_and_prints_one_url_with_a_fresh_token(capsys):
    code, out, err, server = serve(capsys)
    first, second = server.calls[0], serve(capsys)[3].calls[0]
    assert code == 0 and (first["host"], first["port"]) == ("127.0.0.1", 8000)
    assert shlex.split(first["command"])[1:] == [sys.executable, "-m", "tuitrain"]
    urls = [word for word in out.split() if word.startswith("http://")]
    assert len(urls) == 1 and urls[0] == f"http://127.0.0.1:8000/?token={first['token']}"
    assert parse_qs(urlsplit(urls[0]).query)["token"] == [first["token"]]
    assert len(first["token"]) >= 40 and first["token"] != second["token"]
    assert "warning" not in err


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "gpu-box.example"])
def test_a_host_beyond_this_machine_warns_that_the_token_is_the_only_guard(capsys, host):
    code, _, err, server = serve(capsys, "--host", host, "--port", "9000")
    assert code == 0 and server.calls[0]["host"] == host and server.calls[0]["port"] == 9000
    assert f"warning: --host {host} serves beyond this machine" in err
    assert "token is the only guard" in err and "ssh -L 9000:localhost:9000" in err
    assert "port 43210" in serve(capsys, "--host", host, "--port", "0")[2]  # the port it got, not 0


def test_loopback_hosts_and_urls():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")
    assert url_for("::1", 8000, "t") == "http://[::1]:8000/?token=t"
    assert url_for("0.0.0.0", 8000, "t").startswith("http://") and "0.0.0.0" not in url_for("0.0.0.0", 8000, "t")


@pytest.mark.parametrize(("argv", "message"), [
    (["spiral_mpl"], "did you mean"),
    (["spiral_mlp", "--set", "fit.epochs=-x"], "fit.epochs"),
])
def test_a_bad_target_or_override_is_an_error_before_anything_is_served(capsys, argv, message):
    code, _, err, server = serve(capsys, *argv)
    assert code == 2 and message in err.lower() and server.calls == []


def test_a_port_outside_0_65535_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit):
        serve(capsys, "--port", "70000")
    assert "expected a port number 0-65535" in capsys.readouterr().err


def test_without_the_web_extra_it_says_what_to_install(capsys, monkeypatch):
    import tuitrain.__main__ as entry

    monkeypatch.delitem(sys.modules, "tuitrain.web.server", raising=False)
    for name in ("textual_serve", "textual_serve.app_service", "textual_serve.server"):
        monkeypatch.setitem(sys.modules, name, None)  # as if textual-serve were not installed
    code = entry.main(["serve", "--port", "0"])
    assert code == 2
    assert "pip install 'tuitrain[web]'" in capsys.readouterr().err
