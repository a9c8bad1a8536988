using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mirror.Hosting;

public static class StartFirst
{
    /// <summary>
    /// Adds <typeparamref name="T"/> as the first hosted service. Orleans registers its silo ahead of services added before
    /// <c>UseOrleans</c> and starts it early, so a check that must precede it (a port, the schema) has to be first in the list.
    /// </summary>
    public static IServiceCollection AddHostedServiceFirst<T>(this IServiceCollection services) where T : class, IHostedService
    {
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, T>());
        return services;
    }
}
