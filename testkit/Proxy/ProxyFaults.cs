using Microsoft.AspNetCore.Http;

namespace Mirror.TestKit;

/// <summary>
/// Ready-made <see cref="RecordingProxy.Interceptor"/>s: the first <c>times</c> requests of a kind fail in one way,
/// later ones pass, which is what a retrying sync has to survive. Install with <c>proxy.Interceptor = ProxyFaults.…</c>.
/// </summary>
public static class ProxyFaults
{
    /// <summary>Answers with a status (500, 503, 429…); a 429 carries <c>Retry-After</c>.</summary>
    public static Func<HttpContext, Task<bool>> Status(RequestKind kind, int status, int times = 1, int retryAfterSeconds = 1) =>
        FirstTimes(kind, times, context =>
        {
            context.Response.StatusCode = status;
            if (status == StatusCodes.Status429TooManyRequests) context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });

    /// <summary>Drops the connection without an answer (the client sees a reset / empty reply).</summary>
    public static Func<HttpContext, Task<bool>> Reset(RequestKind kind, int times = 1) =>
        FirstTimes(kind, times, context =>
        {
            context.Abort();
            return Task.CompletedTask;
        });

    /// <summary>Forwards, but cuts the body after <paramref name="bytes"/> bytes under the full Content-Length.</summary>
    public static Func<HttpContext, Task<bool>> Truncate(RecordingProxy proxy, RequestKind kind, long bytes, int times = 1) =>
        FirstTimes(kind, times, context => proxy.ForwardAsync(context, new BodyFault(CutAfter: bytes)));

    /// <summary>Forwards with one byte of the body inverted, so the bytes no longer match their digest.</summary>
    public static Func<HttpContext, Task<bool>> FlipByte(RecordingProxy proxy, RequestKind kind, long at, int times = 1) =>
        FirstTimes(kind, times, context => proxy.ForwardAsync(context, new BodyFault(FlipAt: at)));

    /// <summary>Forwards every request of a kind slowly: a pause before each 16 KiB of body.</summary>
    public static Func<HttpContext, Task<bool>> Trickle(RecordingProxy proxy, RequestKind kind, TimeSpan pause, int times = int.MaxValue) =>
        FirstTimes(kind, times, context => proxy.ForwardAsync(context, new BodyFault(Pause: pause)));

    private static Func<HttpContext, Task<bool>> FirstTimes(RequestKind kind, int times, Func<HttpContext, Task> fault)
    {
        var seen = 0;
        return async context =>
        {
            if (RequestKinds.Of(context.Request.Method, context.Request.Path.Value ?? "/") != kind) return false;
            if (Interlocked.Increment(ref seen) > times) return false;
            await fault(context);
            return true;
        };
    }
}
