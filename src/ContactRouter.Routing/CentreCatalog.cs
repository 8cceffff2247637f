namespace ContactRouter.Routing;

/// <summary>The four domain service centres of the municipality (see shared/domain.md).</summary>
public static class CentreCatalog
{
    public const string Burgerzaken = "burgerzaken";
    public const string Fysiek = "fysiek";
    public const string Sociaal = "sociaal";
    public const string Bedrijfsvoering = "bedrijfsvoering";

    public static IReadOnlyList<string> All { get; } = [Burgerzaken, Fysiek, Sociaal, Bedrijfsvoering];

    public static IReadOnlyDictionary<string, string> DisplayNames { get; } = new Dictionary<string, string>
    {
        [Burgerzaken] = "Burgerzaken",
        [Fysiek] = "Fysiek Domein",
        [Sociaal] = "Sociaal Domein",
        [Bedrijfsvoering] = "Bedrijfsvoering",
    };

    public static bool IsKnown(string? centre) => centre is not null && All.Contains(centre);
}
