/**
 * What the sign-in page says of why the session ended, when the user did not sign out here. The
 * texts are compared too (a tab's word of why, EndedSession.byUser), so each stands for its reason.
 */
export const EXPIRED_MESSAGE = 'Your session has expired. Please sign in again.';
export const REFUSED_MESSAGE = 'The server no longer accepts your session. Please sign in again.';
export const SIGNED_OUT_ELSEWHERE_MESSAGE = 'Signed out in another tab.';
