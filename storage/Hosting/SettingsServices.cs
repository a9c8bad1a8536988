using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mirror.Hosting;

public static class SettingsServices
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to section <c>Mirror</c> and checks it when the host starts, so a bad setting stops the
    /// process before it joins anything, with the key named. <typeparamref name="T"/> and its shared part are then injectable as is.
    /// </summary>
    public static IServiceCollection AddMirrorSettings<T>(this IServiceCollection services) where T : MirrorSettings
    {
        services.AddOptions<T>().BindConfiguration(MirrorSettings.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, ProblemsValidation<T>>());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        services.AddSingleton<MirrorSettings>(sp => sp.GetRequiredService<T>());
        return services;
    }

    private sealed class ProblemsValidation<T> : IValidateOptions<T> where T : MirrorSettings
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
