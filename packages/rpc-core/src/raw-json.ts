/**
 * A response payload that travels as text, never parsed or re-serialised: what a relay
 * forwards from one peer to another. A {@link Peer} request made with `rawPayload` may
 * resolve with one, and a router handler may return one; the peer then writes `text`
 * right after `"payload":` in the response frame.
 *
 * `text` is the tail of the response frame it was cut from: the payload's JSON and, in
 * the rare frame that has fields after `payload`, those fields too. Written into a
 * response frame it therefore reproduces the sender's frame with only the id changed.
 * Build one only from a frame a peer received, or from `JSON.stringify` output.
 */
export class RawJson {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }
}
