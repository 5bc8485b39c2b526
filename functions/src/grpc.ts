/**
 * The gRPC status codes (google.rpc.Code) the code tells apart, by name: Firestore and Secret
 * Manager errors carry them as `error.code`.
 */
export const GRPC = {
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNAVAILABLE: 14,
} as const;
