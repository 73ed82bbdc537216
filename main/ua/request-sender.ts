// What the user agent needs from the transaction layer to send a request and hear its outcome.
import type { SipRequest, SipResponse } from '../sip/message/message';
import type { Destination } from '../sip/transport/types';

export interface RequestOutcomeListener {
  onProvisional?(response: SipResponse): void;
  /** The final response; a timeout arrives as a synthesized 408 and a transport failure as a 503. */
  onFinal(response: SipResponse): void;
}

export interface RequestSender {
  sendRequest(request: SipRequest, destination: Destination, listener: RequestOutcomeListener): void;
}
