/** The JSON body of every error answer. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  requestId: string;
  details?: unknown;
}
