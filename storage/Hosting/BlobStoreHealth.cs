using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mirror.Storage.Blobs;

namespace Mirror.Hosting;

/// <summary>Ready only while the blob store takes a write: a small probe blob of its own, new each time, written and removed.</summary>
internal sealed class BlobStoreHealth(IBlobStore blobs) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Unique bytes: a put of a blob that is already stored returns without writing anything.
        var content = Encoding.UTF8.GetBytes($"mirror readiness probe {Environment.MachineName} {Environment.ProcessId} {Guid.NewGuid()}");
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
        try
        {
            await blobs.PutAsync(digest, new MemoryStream(content), content.Length, cancellationToken);
            await blobs.DeleteAsync(digest, cancellationToken);
            return HealthCheckResult.Healthy("the blob store takes writes");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Minio.Exceptions.MinioException or HttpRequestException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"the blob store refuses a write ({e.GetType().Name})");
        }
    }
}
