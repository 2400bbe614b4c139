namespace Sensing.Simulators.City;

/// <content>Where the city's districts and devices are: a square grid of districts around the city centre.</content>
public sealed partial class CityModel
{
    // Kilometres per degree of latitude (WGS 84 mean; within 0.5 % everywhere, plenty for a city plan).
    private const double KmPerDegreeLatitude = 111.2;

    // Devices keep this fraction of a district's side away from its edge, so neighbouring districts do not touch.
    private const double DistrictMargin = 0.08;

    /// <summary>
    /// The place of a device of district <paramref name="district"/> (of <paramref name="districts"/>) at fractions
    /// <paramref name="u"/> (west to east) and <paramref name="v"/> (north to south) of its district's square.
    /// </summary>
    internal static (double Latitude, double Longitude) Place(CityOptions options, int district, int districts, double u, double v)
    {
        var columns = (int)Math.Ceiling(Math.Sqrt(districts));
        var rows = (districts + columns - 1) / columns;
        var size = options.DistrictSizeKm;
        var eastKm = ((district % columns) - (columns / 2.0) + DistrictMargin + (u * (1 - (2 * DistrictMargin)))) * size;
        var southKm = ((district / columns) - (rows / 2.0) + DistrictMargin + (v * (1 - (2 * DistrictMargin)))) * size;
        var latitude = options.CentreLatitude - (southKm / KmPerDegreeLatitude);
        var longitude = options.CentreLongitude + (eastKm / (KmPerDegreeLatitude * Math.Cos(options.CentreLatitude * Math.PI / 180)));
        return (Math.Round(latitude, 6), Math.Round(longitude, 6));
    }
}
