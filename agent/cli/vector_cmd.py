"""`segscribe reindex`: rebuild the vector store from the passages kept in the workspace database."""

from __future__ import annotations

from typing import Annotated

import typer

from segscribe.cli.common import JsonOpt, WorkspaceOpt, open_workspace, print_json, progress_bar


def reindex(
    workspace: WorkspaceOpt = None,
    all_roles: Annotated[bool, typer.Option("--all-roles", help="Also embed interviewer and agent passages.")]
    = False,
    json_out: JsonOpt = False,
) -> None:
    """Rebuild the vector index (embedded or --chroma-url server) from the workspace's passages.

    Use it after the Chroma folder was deleted, a server was reset, or to fill a new server.
    """
    from segscribe.ingest.indexer import DEFAULT_INDEX_ROLES
    from segscribe.ingest.indexer import reindex as rebuild
    from segscribe.store.vector_store import chroma_url

    ws = open_workspace(workspace, create=False)
    with progress_bar(not json_out) as prog:
        docs, windows = rebuild(ws, prog, roles=None if all_roles else DEFAULT_INDEX_ROLES)
    where = chroma_url(ws) or str(ws.chroma_path)
    if json_out:
        print_json({"documents": docs, "windows": windows, "vector_store": where})
    else:
        typer.echo(f"reindexed {docs} documents ({windows} passage windows) into {where}")
