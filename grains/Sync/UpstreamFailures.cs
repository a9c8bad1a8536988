using System.Net;
using Mirror.Oci;
using Mirror.Oci.Upstream;
using Mirror.Sync;

namespace Mirror.Grains.Sync;

/// <summary>How an upstream request's failure counts for a pull (<see cref="UpstreamFailure"/>); null for a failure of ours.</summary>
internal static class UpstreamFailures
{
    public static UpstreamFailure? Of(Exception e) => e switch
    {
        UpstreamException { StatusCode: HttpStatusCode.NotFound } => UpstreamFailure.NotFound,
        UpstreamException { StatusCode: HttpStatusCode.TooManyRequests } => UpstreamFailure.TooManyRequests,
        UpstreamException { StatusCode: null, Final: false } => UpstreamFailure.Unreachable,
        UpstreamException or DigestMismatchException => UpstreamFailure.Failed,
        HttpRequestException or IOException or TimeoutException or OperationCanceledException => UpstreamFailure.Unreachable,
        _ => null,
    };
}
