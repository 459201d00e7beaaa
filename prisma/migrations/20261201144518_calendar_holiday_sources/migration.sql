-- AlterTable
ALTER TABLE "BusinessCalendar" ADD COLUMN     "chineseDays" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "feedUrl" TEXT,
ADD COLUMN     "ownerId" UUID,
ADD COLUMN     "sourceHolidays" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "sourceWorkingDays" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "CalendarSource" (
    "calendarId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "holidays" TEXT[],
    "workingDays" TEXT[],
    "refreshedAt" TIMESTAMP(3),
    "lastError" TEXT,
    "lastErrorAt" TIMESTAMP(3),

    CONSTRAINT "CalendarSource_pkey" PRIMARY KEY ("calendarId","kind")
);

-- CreateTable
CREATE TABLE "CalendarChange" (
    "id" UUID NOT NULL,
    "calendarId" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "date" TEXT NOT NULL,
    "dayKind" TEXT NOT NULL,
    "change" TEXT NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CalendarChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CalendarChange_calendarId_recordedAt_idx" ON "CalendarChange"("calendarId", "recordedAt");

-- AddForeignKey
ALTER TABLE "BusinessCalendar" ADD CONSTRAINT "BusinessCalendar_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CalendarSource" ADD CONSTRAINT "CalendarSource_calendarId_fkey" FOREIGN KEY ("calendarId") REFERENCES "BusinessCalendar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CalendarChange" ADD CONSTRAINT "CalendarChange_calendarId_fkey" FOREIGN KEY ("calendarId") REFERENCES "BusinessCalendar"("id") ON DELETE CASCADE ON UPDATE CASCADE;
