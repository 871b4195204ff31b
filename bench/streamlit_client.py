"""A small Streamlit client that speaks the browser's own websocket protocol.

The browser talks to `streamlit run` over one websocket at `/_stcore/stream`: it sends
`BackMsg`s (a `rerun_script` carrying a `ClientState`: the URL's query string, the page, and
the widget values) and receives `ForwardMsg`s (`new_session` when a script run starts,
`navigation`, `page_info_changed` when the app rewrites the URL, `delta`s holding the page's
elements, `script_finished`). This client does the same with the `streamlit.proto` messages of
the installed Streamlit, so a benchmark can be many learners at the price of little client CPU
(no DOM, no drawing): what it times is the server's work and the network.

Widget values: the browser sends every widget's value on each rerun; this client sends only
the button it presses. Streamlit keeps an unsent widget's value from the previous run
(`SessionState`'s old state), so the effect is the same as a browser sending unchanged values.
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.request
import uuid
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.Common_pb2 import FileUploaderState, FileURLsRequest, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

REPLICA_HEADER = "X-Replica"  # set by the deploy/ proxy configuration: which replica answered
XSRF_COOKIE = "_streamlit_xsrf"  # set by the health check; uploads send it back as X-Xsrftoken
EPOCH = re.compile(r"\bepoch (\d+)")


@dataclass
class PageState:
    """What the page shows, as far as a benchmark needs it (updated by the reader task)."""
    title_at: float | None = None         # first h1 of the current run
    buttons: dict[str, str] = field(default_factory=dict)   # widget id -> label
    uploaders: dict[str, str] = field(default_factory=dict)  # file uploader widget id -> label
    statuses: list[tuple[float, str]] = field(default_factory=list)  # (time, alert text)
    frames: list[float] = field(default_factory=list)       # times a live curves frame arrived
    exceptions: list[str] = field(default_factory=list)
    runs_started: int = 0
    runs_finished: int = 0
    runs_completed: int = 0  # finished successfully (not cut short for a rerun)


class StreamlitSession:
    """One browser tab: `await open(page, query)`, then `await press(key)`; `close()` at the end."""

    def __init__(self, base: str, timeout: float = 600):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.page = PageState()
        self.replicas: list[str] = []  # REPLICA_HEADER of every response, when a proxy sets it
        self.cookies: dict[str, str] = {}
        self.query = ""
        self.page_name = ""
        self.page_hash = ""
        self.closed_by_server = False
        self.session_id = ""
        self.file_urls: dict[str, object] = {}  # request id -> FileURLsResponse
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._changed = asyncio.Event()

    # -- HTTP, as a browser loads the page before it opens the websocket -------------------
    def _get(self, path: str) -> None:
        request = urllib.request.Request(f"{self.base}{path}", headers=self._cookie_header())
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            for raw in response.headers.get_all("Set-Cookie") or []:
                name, _, value = raw.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            self._note_replica(response.headers)

    async def http_get(self, path: str) -> None:
        await asyncio.to_thread(self._get, path)

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _note_replica(self, headers) -> None:
        replica = headers.get(REPLICA_HEADER)
        if replica:
            self.replicas.append(replica)

    # -- the websocket ------------------------------------------------------------------
    async def open(self, page_name: str, query: str = "") -> float:
        """Load the page as a browser does; returns the time the script run was requested."""
        self.page_name, self.query = page_name, query
        await self.http_get(f"/{page_name}" + (f"?{query}" if query else ""))
        url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        self._ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None,
                                            additional_headers=self._cookie_header(),
                                            open_timeout=60, ping_interval=20, ping_timeout=120)
        self._note_replica(self._ws.response.headers)
        self._reader = asyncio.create_task(self._read())
        return await self.rerun()

    async def rerun(self, widgets: list[WidgetState] | None = None) -> float:
        state = ClientState(query_string=self.query, page_script_hash=self.page_hash,
                            page_name="" if self.page_hash else self.page_name,
                            widget_states=WidgetStates(widgets=widgets or []),
                            context_info=ContextInfo(timezone="UTC", timezone_offset=0, locale="en-US",
                                                     url=f"{self.base}/{self.page_name}"))
        sent = time.perf_counter()
        await self._ws.send(BackMsg(rerun_script=state).SerializeToString())
        return sent

    async def press(self, key: str) -> float:
        """Press the button whose widget key is `key` (its id ends with '-<key>')."""
        widget_id = self.button_id(key)
        if widget_id is None:
            raise LookupError(f"no button with key {key!r} on the page")
        return await self.rerun([WidgetState(id=widget_id, trigger_value=True)])

    def button_id(self, key: str) -> str | None:
        return next((wid for wid in self.page.buttons if wid.endswith(f"-{key}")), None)

    async def upload(self, key: str, name: str, content: bytes) -> float:
        """Put a file into the file uploader whose widget key is `key`, as the browser does: ask
        for upload URLs over the websocket, PUT the file (multipart, with the XSRF token the
        page's cookie holds), then rerun with the uploader's new state."""
        widget_id = next((wid for wid in self.page.uploaders if wid.endswith(f"-{key}")), None)
        if widget_id is None:
            raise LookupError(f"no file uploader with key {key!r} on the page")
        if XSRF_COOKIE not in self.cookies:  # the browser has it from its health check
            await self.http_get("/_stcore/health")
        request_id = uuid.uuid4().hex
        request = FileURLsRequest(request_id=request_id, file_names=[name], session_id=self.session_id)
        await self._ws.send(BackMsg(file_urls_request=request).SerializeToString())
        if not await self.wait_for(lambda: request_id in self.file_urls):
            raise TimeoutError("no upload URL")
        urls = self.file_urls[request_id].file_urls[0]
        await asyncio.to_thread(self._put, urls.upload_url, name, content)
        info = UploadedFileInfo(file_id=urls.file_id, name=name, size=len(content), file_urls=urls)
        uploaded = FileUploaderState(uploaded_file_info=[info])
        state = WidgetState(id=widget_id, file_uploader_state_value=uploaded)
        return await self.rerun([state])

    def _put(self, url: str, name: str, content: bytes) -> None:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: text/csv\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        headers = {**self._cookie_header(), "Content-Type": f"multipart/form-data; boundary={boundary}"}
        xsrf = self.cookies.get(XSRF_COOKIE)
        if xsrf:
            headers["X-Xsrftoken"] = xsrf
        target = url if url.startswith("http") else f"{self.base}{url}"
        request = urllib.request.Request(target, data=body, method="PUT", headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            self._note_replica(response.headers)

    async def wait_for(self, predicate, timeout: float | None = None) -> bool:
        """Wait until `predicate()` holds (checked after every message); False on timeout or a
        closed connection."""
        deadline = time.perf_counter() + (timeout or self.timeout)
        while not predicate():
            if self.closed_by_server or (self._reader is not None and self._reader.done()):
                return bool(predicate())
            left = deadline - time.perf_counter()
            if left <= 0:
                return False
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(left, 1.0))
            except asyncio.TimeoutError:
                pass
        return True

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._ws is not None:
            await self._ws.close()

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self._handle(msg, time.perf_counter())
                self._changed.set()
        except websockets.ConnectionClosed:
            pass
        self.closed_by_server = True
        self._changed.set()

    def _handle(self, msg: ForwardMsg, now: float) -> None:
        kind = msg.WhichOneof("type")
        page = self.page
        if kind == "new_session":
            page.runs_started += 1
            page.title_at = None
            self.session_id = msg.new_session.initialize.session_id or self.session_id
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "script_finished":
            page.runs_finished += 1
            if msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                page.runs_completed += 1
        elif kind == "file_urls_response":
            self.file_urls[msg.file_urls_response.response_id] = msg.file_urls_response
        elif kind == "ref_hash":  # only sent for messages the client said it had cached: never
            page.exceptions.append("unexpected ref_hash message")
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element, now)

    def _element(self, element, now: float) -> None:
        kind = element.WhichOneof("type")
        page = self.page
        if kind == "heading" and element.heading.tag == "h1" and page.title_at is None:
            page.title_at = now
        elif kind == "button":
            page.buttons[element.button.id] = element.button.label
        elif kind == "file_uploader":
            page.uploaders[element.file_uploader.id] = element.file_uploader.label
        elif kind == "alert":
            page.statuses.append((now, element.alert.body))
        elif kind == "markdown" and 'data-chart="curves"' in element.markdown.body:
            page.frames.append(now)
        elif kind == "exception":
            page.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:300])


def first_epoch_at(statuses: list[tuple[float, str]], since: float, minimum: int = 1) -> float | None:
    """When a status line after `since` first named an epoch >= `minimum`."""
    for at, text in statuses:
        match = EPOCH.search(text)
        if at >= since and match and int(match.group(1)) >= minimum:
            return at
    return None
