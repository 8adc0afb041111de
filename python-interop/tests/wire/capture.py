"""Capture what Python's own multiprocessing.managers sends on the wire, for python-interop's tests.

    python3 python-interop/tests/wire/capture.py [OUTPUT]

A BaseManager server with two queue.Queues (get_task_queue, get_result_queue, authkey b'abc')
runs in a thread on 127.0.0.1; a relay on another port passes every connection through to it,
cutting each direction into frames as multiprocessing.connection writes them (a 4-byte
big-endian signed length, or -1 and an 8-byte length, then the payload). A client does through
the relay what the tutorial's task_worker.py and task_master.py do: connect(), get both queues,
put an int, get it with timeout=1, put a str result, get it, get from the empty queue with
timeout=0.2 (queue.Empty), drop its proxies, shut the server down. Every frame is written to
OUTPUT (default: manager.frames beside this script), as text: see README.md there.

The standard library only, and only this process: the server is Python's, in a thread.
"""

import gc
import os
import pickle
import platform
import queue
import socket
import struct
import sys
import threading
from multiprocessing.connection import Client
from multiprocessing.managers import BaseManager, dispatch

AUTHKEY = b'abc'
HERE = os.path.dirname(os.path.abspath(__file__))


def read_exactly(sock, n):
    """n bytes, or None if the peer closed the stream first."""
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_frame(sock):
    """(header, payload) of the next frame, or None at the end of the stream."""
    header = read_exactly(sock, 4)
    if header is None:
        return None
    (length,) = struct.unpack('!i', header)
    if length == -1:
        long_length = read_exactly(sock, 8)
        header += long_length
        (length,) = struct.unpack('!Q', long_length)
    payload = read_exactly(sock, length)
    if payload is None:
        raise EOFError('the stream ended in the middle of a frame')
    return header, payload


def read_frame_or_none(sock):
    """The next frame, or None at the end of the stream, or if the peer reset it."""
    try:
        return read_frame(sock)
    except ConnectionResetError:
        return None


class Relay:
    """Listens on a port of its own; each connection to it is passed through to `target`,
    and every frame of it is recorded, in the order sent."""

    def __init__(self, target):
        self.target = target
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.address = self.listener.getsockname()
        self.connections = []  # one list of (direction, payload) per connection
        self.lock = threading.Lock()
        self.pumps = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            client, _ = self.listener.accept()
            server = socket.create_connection(self.target)
            frames = []
            with self.lock:
                self.connections.append(frames)
            for direction, source, sink in (('C->S', client, server), ('S->C', server, client)):
                pump = threading.Thread(target=self.pump, args=(direction, source, sink, frames))
                with self.lock:
                    self.pumps.append(pump)
                pump.start()

    def pump(self, direction, source, sink, frames):
        # Recorded before it is passed on, so that a reply is never recorded before its request.
        # A peer that is gone does not end the recording: the server may still have more to say.
        while (frame := read_frame_or_none(source)) is not None:
            header, payload = frame
            with self.lock:
                frames.append((direction, payload))
            try:
                sink.sendall(header + payload)
            except OSError:
                pass
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def finish(self):
        """Waits until every connection has ended; returns their frames."""
        with self.lock:
            pumps = list(self.pumps)
        for pump in pumps:
            pump.join(timeout=10)
            if pump.is_alive():
                sys.exit('capture.py: a connection did not end')
        return self.connections


def serve():
    """Python's manager server, in a thread; returns its address."""
    class QueueManager(BaseManager):
        pass

    task_queue, result_queue = queue.Queue(), queue.Queue()
    QueueManager.register('get_task_queue', callable=lambda: task_queue)
    QueueManager.register('get_result_queue', callable=lambda: result_queue)
    server = QueueManager(address=('127.0.0.1', 0), authkey=AUTHKEY).get_server()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.address


def work(address):
    """What the tutorial's worker and master do, as a client of the manager at `address`."""
    class QueueManager(BaseManager):
        pass

    QueueManager.register('get_task_queue')
    QueueManager.register('get_result_queue')
    m = QueueManager(address=address, authkey=AUTHKEY)
    m.connect()  # dummy
    task = m.get_task_queue()  # create; the proxy's incref, the manager's decref
    result = m.get_result_queue()
    task.put(3899)  # the proxies' own connection: accept_connection, then every call
    n = task.get(timeout=1)
    result.put('%d * %d = %d' % (n, n, n * n))
    result.get(timeout=10)
    try:
        task.get(timeout=0.2)
        sys.exit('capture.py: the task queue should be empty')
    except queue.Empty as empty:
        # Its traceback holds the frame of the proxy's call, which holds the proxy and the
        # exception again: a cycle. Broken, so that the proxy's finalizer runs at `del`.
        empty.__traceback__ = None
    del task, result  # each proxy's finalizer: decref
    conn = Client(address, authkey=AUTHKEY)  # what BaseManager.shutdown() sends
    dispatch(conn, None, 'shutdown')
    conn.close()


def label(payload, welcomed):
    if payload.startswith(b'#CHALLENGE#'):
        return 'CHALLENGE'
    if payload in (b'#WELCOME#', b'#FAILURE#'):
        return payload.strip(b'#').decode()
    return 'PICKLE' if welcomed >= 2 else 'DIGEST'


def write(connections, path):
    lines = [
        '# %s %s, multiprocessing.managers on 127.0.0.1, authkey %r: every frame of every'
        % (platform.python_implementation(), platform.python_version(), AUTHKEY),
        '# connection. Regenerate: python3 python-interop/tests/wire/capture.py (see README.md).',
        '# "connection N" starts a connection (in the order the client opened them); then one frame',
        '# a line, in the order sent: direction, label, the payload in hex. After "#", a comment:',
        '# what a pickle reads to in Python.',
    ]
    for number, frames in enumerate(connections, 1):
        labelled, welcomed = [], 0
        for direction, payload in frames:
            kind = label(payload, welcomed)
            welcomed += kind == 'WELCOME'
            labelled.append((direction, kind, payload))
        # pickle.loads is safe here only because these bytes come from Python's own manager
        # and client, in this process.
        requests = [p for d, kind, p in labelled if d == 'C->S' and kind == 'PICKLE']
        method = pickle.loads(requests[0])[1] if requests else '?'
        lines += ['', 'connection %d  # %s' % (number, method)]
        for direction, kind, payload in labelled:
            line = '%s %s %s' % (direction, kind, payload.hex())
            if kind == 'PICKLE':
                line += '  # %r' % (pickle.loads(payload),)
            lines.append(line)
    with open(path, 'w', encoding='utf-8', newline='\n') as out:
        out.write('\n'.join(lines) + '\n')


def main():
    gc.disable()  # a finalizer run by the collector in a relay thread would deadlock it
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'manager.frames')
    relay = Relay(serve())
    work(relay.address)
    connections = relay.finish()
    write(connections, path)
    print('%d connections, %d frames: %s'
          % (len(connections), sum(map(len, connections)), os.path.relpath(path)))


if __name__ == '__main__':
    main()
