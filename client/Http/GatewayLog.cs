using Mirror.Storage;

namespace Mirror.Gateway.Http;

/// <summary>Every log line the gateway writes, source-generated so that a disabled level costs nothing.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: {Error}; asking again")]
    public static partial void ClusterReadRetried(this ILogger log, string method, string path, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: the cluster did not answer")]
    public static partial void ClusterUnavailable(this ILogger log, Exception error, string method, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: the database did not answer: {Error}")]
    public static partial void DatabaseUnavailable(this ILogger log, string method, string path, string error);

    /// <summary>Why a request is answered 503: the database (its message is enough) or the cluster (with the stack); true for the database.</summary>
    public static bool Unavailable(this ILogger log, Exception error, HttpRequest request)
    {
        var database = TransientFaults.IsDatabaseOutage(error);
        if (database) log.DatabaseUnavailable(request.Method, request.Path.Value ?? "", error.Message);
        else log.ClusterUnavailable(error, request.Method, request.Path.Value ?? "");
        return database;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} answered {Status} in {Milliseconds} ms ({CorrelationId})")]
    public static partial void RequestServed(this ILogger log, string method, string path, int status, long milliseconds, string correlationId);
}
