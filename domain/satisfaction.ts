// Customer satisfaction (ISO/IEC 20000-1 clause 8.3.2): one survey per closed incident, scored 1 to 5.

export const SURVEY_SCORES = [1, 2, 3, 4, 5] as const;
/** What each score means, as the mail and the survey page say it. */
export const SCORE_LABELS = {
  en: ['1 very dissatisfied', '2 dissatisfied', '3 neutral', '4 satisfied', '5 very satisfied'],
  'zh-CN': ['1 非常不满意', '2 不满意', '3 一般', '4 满意', '5 非常满意'],
} as const;
/** How long a survey's links stay usable after the incident closes. */
export const SURVEY_VALID_SECONDS = 14 * 86_400;

export interface SatisfactionFigures {
  responses: number;
  averageScore: number | null;
  /** The share of responses scoring 4 or 5. */
  satisfiedPercent: number | null;
}

export function isSurveyScore(value: unknown): value is (typeof SURVEY_SCORES)[number] {
  return SURVEY_SCORES.includes(value as 1);
}

export function satisfactionFigures(scores: number[]): SatisfactionFigures {
  if (scores.length === 0) return { responses: 0, averageScore: null, satisfiedPercent: null };
  const sum = scores.reduce((total, score) => total + score, 0);
  return {
    responses: scores.length,
    averageScore: Math.round((sum / scores.length) * 100) / 100,
    satisfiedPercent: Math.round((scores.filter((score) => score >= 4).length / scores.length) * 1_000) / 10,
  };
}
