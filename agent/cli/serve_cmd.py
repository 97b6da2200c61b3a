"""`segscribe serve`: the web app for researchers (upload, run, browse, curate, share)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from segscribe.cli.common import WorkspaceOpt, workspace_path


def serve(
    workspace: WorkspaceOpt = None,
    host: Annotated[str, typer.Option(help="Address to bind. Anything but 127.0.0.1/localhost needs --token.")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    token: Annotated[str | None, typer.Option(
        envvar="SEGSCRIBE_WEB_TOKEN", help="Access token (password) the browser must give; required off "
        "loopback. Prefer the environment variable to keep it out of shell history.", show_default=False)] = None,
    read_token: Annotated[str | None, typer.Option(
        envvar="SEGSCRIBE_WEB_READ_TOKEN", help="Read-only token for a share link (/share/TOKEN): readers see "
        "every page and export but change nothing. Needs --token; 12 to 200 letters, digits or . _ ~ -.",
        show_default=False)] = None,
    max_upload_mb: Annotated[float, typer.Option(help="Largest upload (all files together), MB.", min=0.001,
                                                         max=10_240)] = 200,
    max_files: Annotated[int, typer.Option(help="Most files in one upload (zip members count).", min=1,
                                                  max=100_000)] = 500,
    max_file_mb: Annotated[float, typer.Option(help="Largest single file, MB.", min=0.001, max=10_240)] = 50,
    max_unzipped_mb: Annotated[float, typer.Option(help="Most a .zip or .docx may unpack to, MB.", min=0.001,
                                                         max=102_400)] = 500,
    projects: Annotated[Path | None, typer.Option(help="Serve a folder of projects instead, one workspace per "
                                                    "subfolder (created from the browser).")] = None,
) -> None:
    """Serve the web app for one workspace: upload research, run, browse findings with sources, curate, export."""
    from segscribe.web.settings import WebSettings

    settings = WebSettings(workspace=workspace_path(workspace), host=host, port=port, token=token,
                           read_token=read_token, max_upload_mb=max_upload_mb, max_files=max_files,
                           max_file_mb=max_file_mb, max_unzipped_mb=max_unzipped_mb, projects=projects)
    import uvicorn

    from segscribe.web.app import create_app

    app = create_app(settings)
    where = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    typer.echo(f"segscribe serving {projects or settings.workspace} at {where}" + ("" if settings.loopback else
               " (access token required)"), err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
