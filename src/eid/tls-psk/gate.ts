/**
 * A duplex stream between the raw TCP socket and the TLS engine that can hold back client bytes.
 * It lets the PSK listener fetch a PSK from the store (asynchronously) after the client named its
 * identity and before OpenSSL asks for the key (synchronously).
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export type Inspector = (chunk: Buffer) => 'forward' | 'hold' | 'drop';

export class Gate extends Duplex {
  private readonly raw: Socket;
  private held: Buffer[] = [];
  private holding = false;
  private inspecting = true;
  private readonly inspect: Inspector;

  constructor(raw: Socket, inspect: Inspector) {
    super({ allowHalfOpen: false });
    this.raw = raw;
    this.inspect = inspect;
    raw.on('data', (chunk: Buffer) => this.onData(chunk));
    raw.on('end', () => this.push(null));
    raw.on('error', (err) => this.destroy(err));
    raw.on('close', () => this.destroy());
  }

  get remoteAddress(): string | undefined {
    return this.raw.remoteAddress;
  }

  /** Releases held bytes and stops inspecting (the connection is now plain TLS). */
  release(): void {
    this.holding = false;
    this.inspecting = false;
    const held = this.held;
    this.held = [];
    for (const chunk of held) this.forward(chunk);
  }

  private onData(chunk: Buffer): void {
    if (this.holding) {
      this.held.push(chunk);
      return;
    }
    if (!this.inspecting) {
      this.forward(chunk);
      return;
    }
    const verdict = this.inspect(chunk);
    if (verdict === 'drop') {
      this.destroy();
    } else if (verdict === 'hold') {
      this.holding = true;
      this.held.push(chunk);
    } else {
      this.forward(chunk);
    }
  }

  private forward(chunk: Buffer): void {
    if (!this.push(chunk)) this.raw.pause();
  }

  /** Stops inspecting without holding (e.g. a resumed session carries no identity). */
  passThrough(): void {
    this.inspecting = false;
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.raw.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.raw.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.raw.destroy();
    callback(error);
  }
}
