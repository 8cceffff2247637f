namespace ContactRouter.Routing;

/// <summary>
/// Which centre a question belongs to, so telephony or a web form may send a topic instead of a centre.
/// The topics are the typical questions of each domain in shared/domain.md.
/// </summary>
public static class Topics
{
    private static readonly Dictionary<string, string> CentreByTopic = new(StringComparer.OrdinalIgnoreCase)
    {
        ["paspoort"] = CentreCatalog.Burgerzaken, ["identiteitskaart"] = CentreCatalog.Burgerzaken, ["rijbewijs"] = CentreCatalog.Burgerzaken,
        ["verhuizing"] = CentreCatalog.Burgerzaken, ["geboorte"] = CentreCatalog.Burgerzaken, ["overlijden"] = CentreCatalog.Burgerzaken,
        ["omgevingsvergunning"] = CentreCatalog.Fysiek, ["melding-openbare-ruimte"] = CentreCatalog.Fysiek, ["afval"] = CentreCatalog.Fysiek,
        ["wegen"] = CentreCatalog.Fysiek,
        ["wmo"] = CentreCatalog.Sociaal, ["jeugdzorg"] = CentreCatalog.Sociaal, ["bijstand"] = CentreCatalog.Sociaal,
        ["schuldhulp"] = CentreCatalog.Sociaal,
        ["woz"] = CentreCatalog.Bedrijfsvoering, ["belastingen"] = CentreCatalog.Bedrijfsvoering, ["facturen"] = CentreCatalog.Bedrijfsvoering,
        ["betalingen"] = CentreCatalog.Bedrijfsvoering, ["ondernemers"] = CentreCatalog.Bedrijfsvoering,
    };

    public static IReadOnlyDictionary<string, string> All => CentreByTopic;

    public static string? CentreFor(string? topic) => topic is null ? null : CentreByTopic.GetValueOrDefault(topic);
}
