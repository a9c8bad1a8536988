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

    /// <summary>
    /// Docker Hub's pull limit: at most <paramref name="limit"/> manifest GETs in any <paramref name="window"/> (HEADs are free);
    /// every manifest HEAD and GET is answered with <c>RateLimit-Limit: limit;w=seconds</c> and <c>RateLimit-Remaining:
    /// left;w=seconds</c>, and a GET past the limit gets 429 <c>TOOMANYREQUESTS</c>, as Docker Hub answers it.
    /// </summary>
    public static Func<HttpContext, Task<bool>> PullLimit(RecordingProxy proxy, int limit, TimeSpan window)
    {
        var pulls = new Queue<DateTimeOffset>();
        var seconds = ((int)window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return async context =>
        {
            var kind = RequestKinds.Of(context.Request.Method, context.Request.Path.Value ?? "/");
            if (kind is not (RequestKind.ManifestHead or RequestKind.ManifestGet)) return false;
            bool refused;
            int left;
            lock (pulls)
            {
                var now = DateTimeOffset.UtcNow;
                while (pulls.Count > 0 && now - pulls.Peek() >= window) pulls.Dequeue();
                refused = kind == RequestKind.ManifestGet && pulls.Count >= limit;
                if (kind == RequestKind.ManifestGet && !refused) pulls.Enqueue(now);
                left = limit - pulls.Count;
            }
            context.Response.Headers["RateLimit-Limit"] = $"{limit};w={seconds}";
            context.Response.Headers["RateLimit-Remaining"] = $"{left};w={seconds}";
            if (!refused)
            {
                await proxy.ForwardAsync(context);
                return true;
            }
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}""");
            return true;
        };
    }

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
