// Whether a cost grows linearly with the number of calls: the least-squares line through (calls, cost) and how far
// the measured points stray from it.

export interface LinearFit {
  /** The cost at zero calls (what runs whatever the calls). */
  readonly intercept: number;
  /** The cost each further call adds. */
  readonly slope: number;
  /** The largest |measured − fitted| over the points, in the cost's unit. */
  readonly maxResidual: number;
}

export function linearFit(points: readonly { readonly x: number; readonly y: number }[]): LinearFit {
  if (points.length < 2) throw new RangeError('a line needs two points');
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / points.length;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / points.length;
  let covariance = 0;
  let varianceX = 0;
  for (const point of points) {
    covariance += (point.x - meanX) * (point.y - meanY);
    varianceX += (point.x - meanX) ** 2;
  }
  if (varianceX === 0) throw new RangeError('the points need two different x values');
  const slope = covariance / varianceX;
  const intercept = meanY - slope * meanX;
  const maxResidual = Math.max(...points.map((point) => Math.abs(point.y - (intercept + slope * point.x))));
  return { intercept, slope, maxResidual };
}
