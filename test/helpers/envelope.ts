/** An error answer's body: `success` and `message` for Cannlytics clients, `error` for detail. */
export function failure<E extends { message: unknown }>(error: E) {
  return { success: false, message: error.message, error };
}
